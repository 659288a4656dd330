;;; The list library, written in the language itself.

(define (map f first . rest)
  (if (null? rest)
      (let loop ((xs first) (acc '()))
        (if (pair? xs)
            (loop (cdr xs) (cons (f (car xs)) acc))
            (reverse acc)))
      (let loop ((lists (cons first rest)) (acc '()))
        (if (any-null? lists)
            (reverse acc)
            (loop (cars+cdrs-cdrs lists) (cons (apply f (cars+cdrs-cars lists)) acc))))))
