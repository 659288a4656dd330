;; A first task program: a task with a tool, a subtask and a JSON schema output.

(define-tool (order-status (id integer "The order number"))
  "Where an order is."
  (if (= id 42) "delivered on Monday" "no such order"))

(define-task (summarize ticket)
  #:max-turns 2
  "Summarize this support ticket in one sentence: {{ticket}}")

;; A tool may call another task: it runs as a subtask, under its own Handler.
(define-tool (summary (ticket string "The ticket's text"))
  "A one-sentence summary of a ticket."
  (summarize ticket))

(define-task (triage ticket)
  #:tools (list order-status summary)
  #:max-turns 4
  #:output '((type . "object")
             (properties
              (label (enum "bug" "billing" "delivery"))
              (urgency (type . "integer") (minimum . 1) (maximum . 3))
              (summary (type . "string")))
             (required "label" "urgency" "summary"))
  "Triage this ticket. Look the order up and summarize the ticket first: {{ticket}}")

(define result (triage "Order 42 never arrived, and I was charged twice."))
(for-each (lambda (field)
            (display (car field)) (display ": ") (display (cdr field)) (newline))
          result)
