;;; The list library, written in the language itself.
;;;
;;; Loops are tail-recursive and build results in reverse, so every procedure here
;;; runs in constant stack on lists of any length. A procedure that walks a whole list
;;; checks it first with %check-list (a primitive), so an improper list is an error
;;; before anything runs and a circular one is an error instead of a loop without end;
;;; over several lists, %check-lists lets all but one be circular. The searches (memq,
;;; assoc, ...), sort, delete-duplicates, flatten, iota and list-tabulate are primitives.

;; A bad argument is reported as a primitive reports one: a type-error naming the
;; procedure the program called and the argument's position.
(define (%check-procedure who f position)
  (if (not (procedure? f)) (%type-error who "a procedure" f position)))

;; Is one of the lists (checked by %check-lists) at its end?
(define (%any-null? lists)
  (and (pair? lists) (or (null? (car lists)) (%any-null? (cdr lists)))))

(define (%cars lists)
  (let loop ((ls lists) (acc '()))
    (if (null? ls) (reverse acc) (loop (cdr ls) (cons (car (car ls)) acc)))))

(define (%cdrs lists)
  (let loop ((ls lists) (acc '()))
    (if (null? ls) (reverse acc) (loop (cdr ls) (cons (cdr (car ls)) acc)))))

(define (map f first . rest)
  (%check-procedure 'map f 1)
  (if (null? rest)
      (begin
        (%check-list 'map first 2)
        (let loop ((xs first) (acc '()))
          (if (pair? xs) (loop (cdr xs) (cons (f (car xs)) acc)) (reverse acc))))
      (begin
        (%check-lists 'map (cons first rest) 2)
        (let loop ((lists (cons first rest)) (acc '()))
          (if (%any-null? lists)
              (reverse acc)
              (loop (%cdrs lists) (cons (apply f (%cars lists)) acc)))))))

(define (for-each f first . rest)
  (%check-procedure 'for-each f 1)
  (if (null? rest)
      (begin
        (%check-list 'for-each first 2)
        (let loop ((xs first))
          (when (pair? xs) (f (car xs)) (loop (cdr xs)))))
      (begin
        (%check-lists 'for-each (cons first rest) 2)
        (let loop ((lists (cons first rest)))
          (unless (%any-null? lists)
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
  (%check-list 'filter xs 2)
  (let loop ((rest xs) (acc '()))
    (cond ((null? rest) (reverse acc))
          ((keep? (car rest)) (loop (cdr rest) (cons (car rest) acc)))
          (else (loop (cdr rest) acc)))))

(define (remove drop? xs)
  (%check-procedure 'remove drop? 1)
  (%check-list 'remove xs 2)
  (filter (lambda (x) (not (drop? x))) xs))

(define (partition keep? xs)
  (%check-procedure 'partition keep? 1)
  (%check-list 'partition xs 2)
  (let loop ((rest xs) (yes '()) (no '()))
    (cond ((null? rest) (values (reverse yes) (reverse no)))
          ((keep? (car rest)) (loop (cdr rest) (cons (car rest) yes) no))
          (else (loop (cdr rest) yes (cons (car rest) no))))))

(define (fold-left f initial first . rest)
  (%check-procedure 'fold-left f 1)
  (if (null? rest)
      (begin
        (%check-list 'fold-left first 3)
        (let loop ((acc initial) (xs first))
          (if (pair? xs) (loop (f acc (car xs)) (cdr xs)) acc)))
      (begin
        (%check-lists 'fold-left (cons first rest) 3)
        (let loop ((acc initial) (lists (cons first rest)))
          (if (%any-null? lists)
              acc
              (loop (apply f acc (%cars lists)) (%cdrs lists)))))))

(define (fold-right f initial first . rest)
  (%check-procedure 'fold-right f 1)
  (if (null? rest)
      (begin
        (%check-list 'fold-right first 3)
        (let loop ((acc initial) (xs (reverse first)))
          (if (null? xs) acc (loop (f (car xs) acc) (cdr xs)))))
      (begin
        (%check-lists 'fold-right (cons first rest) 3)
        (let loop ((acc initial) (rows (reverse (apply map list first rest))))
          (if (null? rows) acc (loop (apply f (append (car rows) (list acc))) (cdr rows)))))))

;; SRFI 1 fold: (kons element ... accumulator), over one list or several
(define (fold kons initial first . rest)
  (%check-procedure 'fold kons 1)
  (if (null? rest)
      (begin
        (%check-list 'fold first 3)
        (let loop ((acc initial) (xs first))
          (if (pair? xs) (loop (kons (car xs) acc) (cdr xs)) acc)))
      (begin
        (%check-lists 'fold (cons first rest) 3)
        (let loop ((acc initial) (lists (cons first rest)))
          (if (%any-null? lists)
              acc
              (loop (apply kons (append (%cars lists) (list acc))) (%cdrs lists)))))))

(define (reduce f initial xs)
  (%check-procedure 'reduce f 1)
  (%check-list 'reduce xs 3)
  (if (null? xs) initial (fold f (car xs) (cdr xs))))

(define (count pred xs)
  (%check-procedure 'count pred 1)
  (%check-list 'count xs 2)
  (let loop ((rest xs) (n 0))
    (if (pair? rest) (loop (cdr rest) (if (pred (car rest)) (+ n 1) n)) n)))

(define (find pred xs)
  (%check-procedure 'find pred 1)
  (%check-list 'find xs 2)
  (let loop ((rest xs))
    (cond ((null? rest) #f)
          ((pred (car rest)) (car rest))
          (else (loop (cdr rest))))))

(define (find-tail pred xs)
  (%check-procedure 'find-tail pred 1)
  (%check-list 'find-tail xs 2)
  (let loop ((rest xs))
    (cond ((null? rest) #f)
          ((pred (car rest)) rest)
          (else (loop (cdr rest))))))

;; (any pred list ...): the first true value of pred on the elements (of several
;; lists, side by side, stopping at the shortest), or #f.
(define (any pred first . rest)
  (%check-procedure 'any pred 1)
  (if (null? rest)
      (begin
        (%check-list 'any first 2)
        (let loop ((xs first))
          (and (pair? xs) (or (pred (car xs)) (loop (cdr xs))))))
      (begin
        (%check-lists 'any (cons first rest) 2)
        (let loop ((lists (cons first rest)))
          (and (not (%any-null? lists))
               (or (apply pred (%cars lists)) (loop (%cdrs lists))))))))

;; (every pred list ...): #f if pred is false on some element, else its last value (#t
;; for empty lists).
(define (every pred first . rest)
  (%check-procedure 'every pred 1)
  (if (null? rest)
      (begin
        (%check-list 'every first 2)
        (let loop ((xs first) (last #t))
          (if (pair? xs)
              (let ((result (pred (car xs))))
                (and result (loop (cdr xs) result)))
              last)))
      (begin
        (%check-lists 'every (cons first rest) 2)
        (let loop ((lists (cons first rest)) (last #t))
          (if (%any-null? lists)
              last
              (let ((result (apply pred (%cars lists))))
                (and result (loop (%cdrs lists) result))))))))

(define (list-index pred xs)
  (%check-procedure 'list-index pred 1)
  (%check-list 'list-index xs 2)
  (let loop ((rest xs) (i 0))
    (cond ((null? rest) #f)
          ((pred (car rest)) i)
          (else (loop (cdr rest) (+ i 1))))))

;; (alist-ref alist key [default]): the value stored under key, or default (else an error)
(define (alist-ref alist key . default)
  (let ((entry (assoc key alist)))
    (cond (entry (cdr entry))
          ((pair? default) (car default))
          (else (error "alist-ref: no entry for key" key)))))

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
    (%check-list 'delete xs 2)
    (filter (lambda (y) (not (same? x y))) xs)))

(define (concatenate lists) (apply append lists))
