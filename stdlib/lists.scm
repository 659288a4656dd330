;;; The list library, written in the language itself.
;;;
;;; Loops are tail-recursive and build results in reverse, so every procedure here
;;; runs in constant stack on lists of any length.

;; A bad argument is reported as a primitive reports one: a type-error naming the
;; procedure the program called and the argument's position.
(define (%not-a-list who x position)
  (%type-error who "a list" x position))

(define (%check-procedure who f position)
  (if (not (procedure? f)) (%type-error who "a procedure" f position)))

;; Is one of the lists at its end? An improper one is an error; `originals` are the
;; lists as given, for the message, and the first is argument `position` of `who`.
(define (%any-null? who lists originals position)
  (let loop ((ls lists) (os originals) (position position))
    (cond ((null? ls) #f)
          ((pair? (car ls)) (loop (cdr ls) (cdr os) (+ position 1)))
          ((null? (car ls)) #t)
          (else (%not-a-list who (car os) position)))))

(define (%cars lists)
  (let loop ((ls lists) (acc '()))
    (if (null? ls) (reverse acc) (loop (cdr ls) (cons (car (car ls)) acc)))))

(define (%cdrs lists)
  (let loop ((ls lists) (acc '()))
    (if (null? ls) (reverse acc) (loop (cdr ls) (cons (cdr (car ls)) acc)))))

(define (map f first . rest)
  (%check-procedure 'map f 1)
  (if (null? rest)
      (let loop ((xs first) (acc '()))
        (cond ((pair? xs) (loop (cdr xs) (cons (f (car xs)) acc)))
              ((null? xs) (reverse acc))
              (else (%not-a-list 'map first 2))))
      (let ((originals (cons first rest)))
        (let loop ((lists originals) (acc '()))
          (if (%any-null? 'map lists originals 2)
              (reverse acc)
              (loop (%cdrs lists) (cons (apply f (%cars lists)) acc)))))))

(define (for-each f first . rest)
  (%check-procedure 'for-each f 1)
  (if (null? rest)
      (let loop ((xs first))
        (cond ((pair? xs) (f (car xs)) (loop (cdr xs)))
              ((not (null? xs)) (%not-a-list 'for-each first 2))))
      (let ((originals (cons first rest)))
        (let loop ((lists originals))
          (unless (%any-null? 'for-each lists originals 2)
            (apply f (%cars lists))
            (loop (%cdrs lists)))))))

(define (append-map f first . rest)
  (apply append (apply map f first rest)))

(define (filter-map f first . rest)
  (filter (lambda (x) x) (apply map f first rest)))

(define (vector-map f v . rest)
  (list->vector (apply map f (vector->list v) (map vector->list rest))))

(define (vector-for-each f v . rest)
  (apply for-each f (vector->list v) (map vector->list rest)))

(define (string-map f s . rest)
  (list->string (apply map f (string->list s) (map string->list rest))))

(define (string-for-each f s . rest)
  (apply for-each f (string->list s) (map string->list rest)))

(define (filter keep? xs)
  (%check-procedure 'filter keep? 1)
  (let loop ((rest xs) (acc '()))
    (cond ((pair? rest)
           (if (keep? (car rest))
               (loop (cdr rest) (cons (car rest) acc))
               (loop (cdr rest) acc)))
          ((null? rest) (reverse acc))
          (else (%not-a-list 'filter xs 2)))))

(define (remove drop? xs)
  (%check-procedure 'remove drop? 1)
  (if (not (list? xs)) (%not-a-list 'remove xs 2))
  (filter (lambda (x) (not (drop? x))) xs))

(define (partition keep? xs)
  (%check-procedure 'partition keep? 1)
  (let loop ((rest xs) (yes '()) (no '()))
    (cond ((pair? rest)
           (if (keep? (car rest))
               (loop (cdr rest) (cons (car rest) yes) no)
               (loop (cdr rest) yes (cons (car rest) no))))
          ((null? rest) (values (reverse yes) (reverse no)))
          (else (%not-a-list 'partition xs 2)))))

(define (fold-left f initial first . rest)
  (%check-procedure 'fold-left f 1)
  (if (null? rest)
      (let loop ((acc initial) (xs first))
        (cond ((pair? xs) (loop (f acc (car xs)) (cdr xs)))
              ((null? xs) acc)
              (else (%not-a-list 'fold-left first 3))))
      (let ((originals (cons first rest)))
        (let loop ((acc initial) (lists originals))
          (if (%any-null? 'fold-left lists originals 3)
              acc
              (loop (apply f acc (%cars lists)) (%cdrs lists)))))))

(define (fold-right f initial first . rest)
  (%check-procedure 'fold-right f 1)
  (if (null? rest)
      (begin
        (if (not (list? first)) (%not-a-list 'fold-right first 3))
        (let loop ((acc initial) (xs (reverse first)))
          (if (null? xs) acc (loop (f (car xs) acc) (cdr xs)))))
      (let loop ((acc initial) (rows (reverse (apply map list first rest))))
        (if (null? rows) acc (loop (apply f (append (car rows) (list acc))) (cdr rows))))))

;; SRFI 1 fold: (kons element ... accumulator), over one list or several
(define (fold kons initial first . rest)
  (%check-procedure 'fold kons 1)
  (if (null? rest)
      (let loop ((acc initial) (xs first))
        (cond ((pair? xs) (loop (kons (car xs) acc) (cdr xs)))
              ((null? xs) acc)
              (else (%not-a-list 'fold first 3))))
      (let ((originals (cons first rest)))
        (let loop ((acc initial) (lists originals))
          (if (%any-null? 'fold lists originals 3)
              acc
              (loop (apply kons (append (%cars lists) (list acc))) (%cdrs lists)))))))

(define (reduce f initial xs)
  (%check-procedure 'reduce f 1)
  (cond ((null? xs) initial)
        ((pair? xs) (fold f (car xs) (cdr xs)))
        (else (%not-a-list 'reduce xs 3))))

(define (count pred xs)
  (%check-procedure 'count pred 1)
  (let loop ((rest xs) (n 0))
    (cond ((pair? rest) (loop (cdr rest) (if (pred (car rest)) (+ n 1) n)))
          ((null? rest) n)
          (else (%not-a-list 'count xs 2)))))

(define (find pred xs)
  (%check-procedure 'find pred 1)
  (let loop ((rest xs))
    (cond ((pair? rest) (if (pred (car rest)) (car rest) (loop (cdr rest))))
          ((null? rest) #f)
          (else (%not-a-list 'find xs 2)))))

(define (find-tail pred xs)
  (%check-procedure 'find-tail pred 1)
  (let loop ((rest xs))
    (cond ((pair? rest) (if (pred (car rest)) rest (loop (cdr rest))))
          ((null? rest) #f)
          (else (%not-a-list 'find-tail xs 2)))))

;; (any pred list ...): the first true value of pred on the elements (of several
;; lists, side by side, stopping at the shortest), or #f.
(define (any pred first . rest)
  (%check-procedure 'any pred 1)
  (if (null? rest)
      (let loop ((xs first))
        (cond ((pair? xs) (or (pred (car xs)) (loop (cdr xs))))
              ((null? xs) #f)
              (else (%not-a-list 'any first 2))))
      (let ((originals (cons first rest)))
        (let loop ((lists originals))
          (if (%any-null? 'any lists originals 2)
              #f
              (or (apply pred (%cars lists)) (loop (%cdrs lists))))))))

;; (every pred list ...): #f if pred is false on some element, else its last value (#t
;; for empty lists).
(define (every pred first . rest)
  (%check-procedure 'every pred 1)
  (if (null? rest)
      (let loop ((xs first) (last #t))
        (cond ((pair? xs)
               (let ((result (pred (car xs))))
                 (and result (loop (cdr xs) result))))
              ((null? xs) last)
              (else (%not-a-list 'every first 2))))
      (let ((originals (cons first rest)))
        (let loop ((lists originals) (last #t))
          (if (%any-null? 'every lists originals 2)
              last
              (let ((result (apply pred (%cars lists))))
                (and result (loop (%cdrs lists) result))))))))

(define (list-index pred xs)
  (%check-procedure 'list-index pred 1)
  (let loop ((rest xs) (i 0))
    (cond ((pair? rest) (if (pred (car rest)) i (loop (cdr rest) (+ i 1))))
          ((null? rest) #f)
          (else (%not-a-list 'list-index xs 2)))))

(define (member x xs . compare)
  (%member 'member x xs (if (null? compare) equal? (car compare))))
(define (memv x xs) (%member 'memv x xs eqv?))
(define (memq x xs) (%member 'memq x xs eq?))

(define (%member who x xs same?)
  (%check-procedure who same? 3)
  (let loop ((rest xs))
    (cond ((pair? rest) (if (same? x (car rest)) rest (loop (cdr rest))))
          ((null? rest) #f)
          (else (%not-a-list who xs 2)))))

(define (assoc key alist . compare)
  (%assoc 'assoc key alist (if (null? compare) equal? (car compare))))
(define (assv key alist) (%assoc 'assv key alist eqv?))
(define (assq key alist) (%assoc 'assq key alist eq?))

(define (%assoc who key alist same?)
  (%check-procedure who same? 3)
  (let loop ((rest alist))
    (cond ((and (pair? rest) (pair? (car rest)))
           (if (same? key (car (car rest))) (car rest) (loop (cdr rest))))
          ((null? rest) #f)
          ((pair? rest) (%type-error who "an association list (a list of pairs)" alist 2))
          (else (%not-a-list who alist 2)))))

;; (alist-ref alist key [default]): the value stored under key, or default (else an error)
(define (alist-ref alist key . default)
  (let ((entry (assoc key alist)))
    (cond (entry (cdr entry))
          ((pair? default) (car default))
          (else (error "alist-ref: no entry for key" key)))))

(define (iota count . options)
  (if (not (and (exact-integer? count) (>= count 0)))
      (%type-error 'iota "an exact non-negative integer" count 1))
  (let ((start (if (pair? options) (car options) 0))
        (step (if (and (pair? options) (pair? (cdr options))) (cadr options) 1)))
    (let loop ((i (- count 1)) (acc '()))
      (if (< i 0) acc (loop (- i 1) (cons (+ start (* i step)) acc))))))

(define (list-tabulate n f)
  (map f (iota n)))

(define (take xs n)
  (if (not (and (exact-integer? n) (>= n 0)))
      (%type-error 'take "an exact non-negative integer" n 2))
  (let loop ((rest xs) (k n) (acc '()))
    (cond ((= k 0) (reverse acc))
          ((not (pair? rest)) (error "take: the list has fewer elements than" n))
          (else (loop (cdr rest) (- k 1) (cons (car rest) acc))))))

(define (drop xs n)
  (if (not (and (exact-integer? n) (>= n 0)))
      (%type-error 'drop "an exact non-negative integer" n 2))
  (let loop ((rest xs) (k n))
    (cond ((= k 0) rest)
          ((not (pair? rest)) (error "drop: the list has fewer elements than" n))
          (else (loop (cdr rest) (- k 1))))))

(define (take-while pred xs)
  (let loop ((xs xs) (acc '()))
    (if (and (pair? xs) (pred (car xs)))
        (loop (cdr xs) (cons (car xs) acc))
        (reverse acc))))

(define (drop-while pred xs)
  (if (and (pair? xs) (pred (car xs))) (drop-while pred (cdr xs)) xs))

;; The four-level car/cdr compositions of (scheme cxr); the shorter ones are primitives.
(define (caaaar xs) (car (car (car (car xs)))))
(define (caaadr xs) (car (car (car (cdr xs)))))
(define (caadar xs) (car (car (cdr (car xs)))))
(define (caaddr xs) (car (car (cdr (cdr xs)))))
(define (cadaar xs) (car (cdr (car (car xs)))))
(define (cadadr xs) (car (cdr (car (cdr xs)))))
(define (caddar xs) (car (cdr (cdr (car xs)))))
(define (cadddr xs) (car (cdr (cdr (cdr xs)))))
(define (cdaaar xs) (cdr (car (car (car xs)))))
(define (cdaadr xs) (cdr (car (car (cdr xs)))))
(define (cdadar xs) (cdr (car (cdr (car xs)))))
(define (cdaddr xs) (cdr (car (cdr (cdr xs)))))
(define (cddaar xs) (cdr (cdr (car (car xs)))))
(define (cddadr xs) (cdr (cdr (car (cdr xs)))))
(define (cdddar xs) (cdr (cdr (cdr (car xs)))))
(define (cddddr xs) (cdr (cdr (cdr (cdr xs)))))

(define (first xs) (car xs))
(define (second xs) (cadr xs))
(define (third xs) (caddr xs))

(define (last xs)
  (if (null? xs)
      (error "last: the list is empty")
      (car (last-pair xs))))

(define (delete x xs . compare)
  (let ((same? (if (null? compare) equal? (car compare))))
    (%check-procedure 'delete same? 3)
    (if (not (list? xs)) (%not-a-list 'delete xs 2))
    (filter (lambda (y) (not (same? x y))) xs)))

(define (delete-duplicates xs . compare)
  (let ((same? (if (null? compare) equal? (car compare))))
    (%check-procedure 'delete-duplicates same? 2)
    (if (not (list? xs)) (%not-a-list 'delete-duplicates xs 1))
    (let loop ((xs xs) (acc '()))
      (cond ((null? xs) (reverse acc))
            ((member (car xs) acc same?) (loop (cdr xs) acc))
            (else (loop (cdr xs) (cons (car xs) acc)))))))

(define (concatenate lists) (apply append lists))

(define (flatten x)
  (cond ((null? x) '())
        ((pair? x) (append (flatten (car x)) (flatten (cdr x))))
        (else (list x))))
