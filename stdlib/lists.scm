;;; The list library, written in the language itself.
;;;
;;; Loops are tail-recursive and build results in reverse, so every procedure here
;;; runs in constant stack on lists of any length.

(define (%any-null? lists)
  (cond ((null? lists) #f)
        ((pair? (car lists)) (%any-null? (cdr lists)))
        ((null? (car lists)) #t)
        (else (error "expected a list, got" (car lists)))))

(define (%not-a-list who x)
  (error (string-append (symbol->string who) ": expected a list, got") x))

(define (%cars lists)
  (let loop ((ls lists) (acc '()))
    (if (null? ls) (reverse acc) (loop (cdr ls) (cons (car (car ls)) acc)))))

(define (%cdrs lists)
  (let loop ((ls lists) (acc '()))
    (if (null? ls) (reverse acc) (loop (cdr ls) (cons (cdr (car ls)) acc)))))

(define (%check-procedure who f)
  (if (not (procedure? f))
      (error (string-append (symbol->string who) ": expected a procedure, got") f)))

(define (map f first . rest)
  (%check-procedure 'map f)
  (if (null? rest)
      (let loop ((xs first) (acc '()))
        (cond ((pair? xs) (loop (cdr xs) (cons (f (car xs)) acc)))
              ((null? xs) (reverse acc))
              (else (%not-a-list 'map first))))
      (let loop ((lists (cons first rest)) (acc '()))
        (if (%any-null? lists)
            (reverse acc)
            (loop (%cdrs lists) (cons (apply f (%cars lists)) acc))))))

(define (for-each f first . rest)
  (%check-procedure 'for-each f)
  (if (null? rest)
      (let loop ((xs first))
        (cond ((pair? xs) (f (car xs)) (loop (cdr xs)))
              ((not (null? xs)) (%not-a-list 'for-each first))))
      (let loop ((lists (cons first rest)))
        (unless (%any-null? lists)
          (apply f (%cars lists))
          (loop (%cdrs lists))))))

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
  (let loop ((xs xs) (acc '()))
    (cond ((null? xs) (reverse acc))
          ((keep? (car xs)) (loop (cdr xs) (cons (car xs) acc)))
          (else (loop (cdr xs) acc)))))

(define (remove drop? xs)
  (filter (lambda (x) (not (drop? x))) xs))

(define (partition keep? xs)
  (let loop ((xs xs) (yes '()) (no '()))
    (cond ((null? xs) (values (reverse yes) (reverse no)))
          ((keep? (car xs)) (loop (cdr xs) (cons (car xs) yes) no))
          (else (loop (cdr xs) yes (cons (car xs) no))))))

(define (fold-left f initial first . rest)
  (if (null? rest)
      (let loop ((acc initial) (xs first))
        (if (null? xs) acc (loop (f acc (car xs)) (cdr xs))))
      (let loop ((acc initial) (lists (cons first rest)))
        (if (%any-null? lists)
            acc
            (loop (apply f acc (%cars lists)) (%cdrs lists))))))

(define (fold-right f initial first . rest)
  (if (null? rest)
      (let loop ((acc initial) (xs (reverse first)))
        (if (null? xs) acc (loop (f (car xs) acc) (cdr xs))))
      (let loop ((acc initial) (rows (reverse (apply map list first rest))))
        (if (null? rows) acc (loop (apply f (append (car rows) (list acc))) (cdr rows))))))

;; SRFI 1 fold: (kons element accumulator)
(define (fold kons initial xs)
  (let loop ((acc initial) (xs xs))
    (if (null? xs) acc (loop (kons (car xs) acc) (cdr xs)))))

(define (reduce f initial xs)
  (if (null? xs)
      initial
      (fold f (car xs) (cdr xs))))

(define (count pred xs)
  (let loop ((xs xs) (n 0))
    (cond ((null? xs) n)
          ((pred (car xs)) (loop (cdr xs) (+ n 1)))
          (else (loop (cdr xs) n)))))

(define (find pred xs)
  (let loop ((xs xs))
    (cond ((null? xs) #f)
          ((pred (car xs)) (car xs))
          (else (loop (cdr xs))))))

(define (find-tail pred xs)
  (let loop ((xs xs))
    (cond ((null? xs) #f)
          ((pred (car xs)) xs)
          (else (loop (cdr xs))))))

(define (any pred xs)
  (let loop ((xs xs))
    (cond ((null? xs) #f)
          ((pred (car xs)) => (lambda (hit) hit))
          (else (loop (cdr xs))))))

(define (every pred xs)
  (let loop ((xs xs) (last #t))
    (if (null? xs)
        last
        (let ((result (pred (car xs))))
          (and result (loop (cdr xs) result))))))

(define (list-index pred xs)
  (let loop ((xs xs) (i 0))
    (cond ((null? xs) #f)
          ((pred (car xs)) i)
          (else (loop (cdr xs) (+ i 1))))))

(define (member x xs . compare)
  (let ((same? (if (null? compare) equal? (car compare))))
    (let loop ((xs xs))
      (cond ((null? xs) #f)
            ((same? x (car xs)) xs)
            (else (loop (cdr xs)))))))

(define (memv x xs) (member x xs eqv?))
(define (memq x xs) (member x xs eq?))

(define (assoc key alist . compare)
  (let ((same? (if (null? compare) equal? (car compare))))
    (let loop ((alist alist))
      (cond ((null? alist) #f)
            ((same? key (car (car alist))) (car alist))
            (else (loop (cdr alist)))))))

(define (assv key alist) (assoc key alist eqv?))
(define (assq key alist) (assoc key alist eq?))

;; (alist-ref alist key [default]): the value stored under key, or default (else an error)
(define (alist-ref alist key . default)
  (let ((entry (assoc key alist)))
    (cond (entry (cdr entry))
          ((pair? default) (car default))
          (else (error "alist-ref: no entry for key" key)))))

(define (iota count . options)
  (let ((start (if (pair? options) (car options) 0))
        (step (if (and (pair? options) (pair? (cdr options))) (cadr options) 1)))
    (let loop ((i (- count 1)) (acc '()))
      (if (< i 0) acc (loop (- i 1) (cons (+ start (* i step)) acc))))))

(define (list-tabulate n f)
  (map f (iota n)))

(define (take xs n)
  (let loop ((rest xs) (k n) (acc '()))
    (cond ((= k 0) (reverse acc))
          ((null? rest) (error "take: the list has fewer elements than" n))
          (else (loop (cdr rest) (- k 1) (cons (car rest) acc))))))

(define (drop xs n)
  (let loop ((rest xs) (k n))
    (cond ((= k 0) rest)
          ((null? rest) (error "drop: the list has fewer elements than" n))
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
    (filter (lambda (y) (not (same? x y))) xs)))

(define (delete-duplicates xs . compare)
  (let ((same? (if (null? compare) equal? (car compare))))
    (let loop ((xs xs) (acc '()))
      (cond ((null? xs) (reverse acc))
            ((member (car xs) acc same?) (loop (cdr xs) acc))
            (else (loop (cdr xs) (cons (car xs) acc)))))))

(define (concatenate lists) (apply append lists))

(define (flatten x)
  (cond ((null? x) '())
        ((pair? x) (append (flatten (car x)) (flatten (cdr x))))
        (else (list x))))

;; Stable merge sort. (sort sequence less?) sorts a list or a vector.
(define (sort seq less?)
  (%check-procedure 'sort less?)
  (if (vector? seq)
      (list->vector (%merge-sort (vector->list seq) less?))
      (%merge-sort seq less?)))

(define (list-sort less? xs) (%merge-sort xs less?))

(define (%merge-sort xs less?)
  (let ((n (length xs)))
    (if (< n 2)
        xs
        (let sort-run ((xs xs) (n n))
          (if (< n 2)
              (if (= n 0) '() (list (car xs)))
              (let ((half (quotient n 2)))
                (%merge (sort-run xs half) (sort-run (list-tail xs half) (- n half)) less?)))))))

(define (%merge a b less?)
  (let loop ((a a) (b b) (acc '()))
    (cond ((null? a) (append (reverse acc) b))
          ((null? b) (append (reverse acc) a))
          ((less? (car b) (car a)) (loop a (cdr b) (cons (car b) acc)))
          (else (loop (cdr a) b (cons (car a) acc))))))
