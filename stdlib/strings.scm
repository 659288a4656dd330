;;; The string library, written in the language itself over a few string primitives.

;; string-split, string-join, string-trim, string-trim-left, string-trim-right,
;; string-contains, string-replace, string-repeat, string-pad-left and string-pad-right
;; are primitives (interpreter/lang/primitives/strings.py).

(define (string-index str pred)
  (let ((matches? (if (char? pred) (lambda (c) (char=? c pred)) pred)))
    (let loop ((i 0))
      (cond ((= i (string-length str)) #f)
            ((matches? (string-ref str i)) i)
            (else (loop (+ i 1)))))))

(define (string-reverse str)
  (list->string (reverse (string->list str))))

;; (format destination control arg ...): ~a displays, ~s writes, ~% is a newline, ~~ a tilde.
;; destination #f returns the string, #t prints it; (format "control" arg ...) also returns it.
(define (format destination . rest)
  (cond ((string? destination) (%format destination rest))
        ((eq? destination #f) (%format (car rest) (cdr rest)))
        ((eq? destination #t) (display (%format (car rest) (cdr rest))))
        ((output-port? destination) (display (%format (car rest) (cdr rest)) destination))
        (else (error "format: the destination must be #f, #t, a port or the control string" destination))))

(define (%format control args)
  (let ((out (open-output-string))
        (n (string-length control)))
    (let loop ((i 0) (args args))
      (cond ((= i n)
             (if (pair? args)
                 (error "format: more arguments than directives in" control)
                 (get-output-string out)))
            ((and (char=? (string-ref control i) #\~) (< (+ i 1) n))
             (let ((directive (char-downcase (string-ref control (+ i 1)))))
               (case directive
                 ((#\a #\s)
                  (when (null? args) (error "format: too few arguments for" control))
                  (if (char=? directive #\a) (display (car args) out) (write (car args) out))
                  (loop (+ i 2) (cdr args)))
                 ((#\%) (newline out) (loop (+ i 2) args))
                 ((#\~) (write-char #\~ out) (loop (+ i 2) args))
                 (else (error "format: unknown directive" (string #\~ directive))))))
            (else (write-char (string-ref control i) out) (loop (+ i 1) args))))))
