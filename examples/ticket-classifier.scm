;;; ticket-classifier.scm: label support tickets with a model, several at once.
;;;
;;; Every ticket is one call of the task `classify`, so each runs under its own Handler:
;;; at most 2 turns and 5% of the model's context window. The answer must satisfy a
;;; JSON schema; an answer that does not is an error, never a silent guess.
;;;
;;;   taskscheme run examples/ticket-classifier.scm --model replay:examples/cassettes/ticket-classifier.jsonl
;;;
;;; An optional argument names another CSV file (id,customer,text); run it against a
;;; real model to classify your own tickets.

(define tickets-file
  (let ((args (cdr (command-line))))
    (if (pair? args) (car args) "examples/data/tickets.csv")))

;; id,customer,text -- the text may itself contain commas.
(define (parse-ticket line)
  (let ((fields (string-split line ",")))
    (list (car fields) (cadr fields) (string-join (cddr fields) ","))))

(define tickets (map parse-ticket (cdr (file->lines tickets-file)))) ; skip the header

(define ticket-schema
  '((type . "object")
    (properties
     (label (type . "string") (enum "bug" "billing" "account" "feature-request" "other"))
     (urgency (type . "string") (enum "low" "medium" "high"))
     (summary (type . "string") (maxLength . 80)))
    (required "label" "urgency" "summary")
    (additionalProperties . #f)))

(define-task (classify ticket)
  #:system "You triage support tickets for a software company. Answer with JSON only."
  #:max-turns 2
  #:context-fraction 0.05
  #:output ticket-schema
  "Classify this support ticket.
label: bug, billing, account, feature-request or other.
urgency: low, medium or high (high when someone is blocked or money is at stake).
summary: one short sentence.

Ticket: {{ticket}}")

;; Classify one ticket; keep the answer and the metrics of its own task call.
(define (triage ticket)
  (let ((answer (classify (caddr ticket))))
    (list ticket answer (task-metrics))))

(define results (parallel-map triage tickets #:workers 4))

(define (field answer name) (cdr (assoc name answer)))

(define (row . cells)
  (display (string-join (map (lambda (cell width) (string-pad-right cell width))
                             cells '(6 14 16 8 0))
                        " "))
  (newline))

(row "id" "customer" "label" "urgency" "summary")
(for-each
 (lambda (result)
   (let ((ticket (car result)) (answer (cadr result)))
     (row (car ticket) (cadr ticket) (field answer "label") (field answer "urgency")
          (field answer "summary"))))
 results)

(newline)
(display "Per-task metrics (each ticket ran under its own Handler):")
(newline)
(for-each
 (lambda (result)
   (let ((metrics (caddr result)))
     (display (format "  ~a  turns ~a/~a  context peak ~a/~a tokens  tokens in ~a out ~a~%"
                      (car (car result))
                      (metrics-ref metrics 'turns 'used) (metrics-ref metrics 'turns 'limit)
                      (metrics-ref metrics 'context 'peak-usage) (metrics-ref metrics 'context 'limit)
                      (metrics-ref metrics 'tokens 'input) (metrics-ref metrics 'tokens 'output)))))
 results)

(define (total . path)
  (fold-left + 0 (map (lambda (result) (apply metrics-ref (caddr result) path)) results)))

(display (format "Total: ~a tickets, ~a turns, ~a input and ~a output tokens~%"
                 (length results) (total 'turns 'used)
                 (total 'tokens 'input) (total 'tokens 'output)))
