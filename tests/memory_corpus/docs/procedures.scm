;; Parse an ISO 8601 date such as "2024-05-01" into a list (year month day).
(define (parse-iso-date text)
  (map string->number
       (list (substring text 0 4) (substring text 5 7) (substring text 8 10))))

;; The number of days in a month of a given year, leap years included.
(define (days-in-month year month)
  (cond ((= month 2) (if (leap-year? year) 29 28))
        ((memv month '(4 6 9 11)) 30)
        (else 31)))

;; Is the year a leap year in the Gregorian calendar?
(define (leap-year? year)
  (and (= 0 (modulo year 4))
       (or (not (= 0 (modulo year 100))) (= 0 (modulo year 400)))))

;; Split a string into words at spaces.
(define (split-words text)
  (let loop ((chars (string->list text)) (word '()) (words '()))
    (define (flush) (if (null? word) words (cons (list->string (reverse word)) words)))
    (cond ((null? chars) (reverse (flush)))
          ((char=? (car chars) #\space) (loop (cdr chars) '() (flush)))
          (else (loop (cdr chars) (cons (car chars) word) words)))))

;; Compute the total price of a shopping cart: a list of (price . quantity) pairs.
(define (cart-total items)
  (apply + (map (lambda (item) (* (car item) (cdr item))) items)))

;; Convert a temperature from degrees Celsius to Fahrenheit.
(define (celsius->fahrenheit c)
  (+ 32 (* 9/5 c)))

(define-task (summarize-ticket ticket)
  #:system "You summarize customer support tickets in one sentence."
  "Summarize: {{ticket}}")
