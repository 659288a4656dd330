;;; tool-use.scm: a support agent that looks things up with tools, and a tool that runs a
;;; subtask.
;;;
;;;   taskscheme run examples/tool-use.scm --model replay:examples/cassettes/tool-use.jsonl
;;;
;;; Tools are procedures of this program; the model asks for them and the task layer
;;; runs them. A tool's error (an unknown order id) goes back to the model as an error
;;; result, so it can correct itself. The tool `polish-reply` calls the task `polish`,
;;; which runs as a subtask under its own Handler with its own limits.

(define orders
  '(("A-1042" (item . "Noise-cancelling headphones") (price . 249) (category . "electronics")
              (delivered . "2025-05-02") (status . "delivered"))
    ("A-1077" (item . "Espresso machine") (price . 389) (category . "kitchen")
              (delivered . #f) (status . "in transit"))))

(define-tool (lookup-order (order-id string "The order id, for example A-1042"))
  "Look up an order: item, price, category, delivery date and status."
  (let ((order (assoc order-id orders)))
    (if order
        (cdr order)
        (error "no order with this id" order-id))))

(define refund-policies
  '(("electronics" . "Refunds within 30 days of delivery if the item is returned in its original packaging. Opened headphones and earphones can be refunded only if defective.")
    ("kitchen" . "Refunds within 60 days of delivery, no questions asked.")))

(define-tool (refund-policy (category string "The product category of the order"))
  "The refund policy for a product category."
  (let ((policy (assoc category refund-policies)))
    (if policy (cdr policy) "No refund policy for this category; escalate to a person.")))

(define-task (polish draft)
  #:system "You edit customer support replies: friendly, clear, at most 80 words."
  #:max-turns 1
  "Polish this reply to a customer. Keep every fact and promise as it is.

{{draft}}")

(define-tool (polish-reply (draft string "A draft reply to the customer"))
  "Have an editor polish a draft reply before it is sent. Returns the polished reply."
  (polish draft))

(define-task (support message)
  #:system "You are a support agent for an online shop. Use the tools to check facts; never guess order details or policies. Polish your reply with polish-reply before answering, then answer with the polished reply only."
  #:max-turns 6
  #:tools (list lookup-order refund-policy polish-reply)
  "Customer message:
{{message}}")

(define message
  "Hi, I bought headphones last month (order A1042) and they stopped working in the left ear. Can I get a refund? -- Sam")

(define reply (support message))
(define metrics (task-metrics))

(display "Reply to the customer:")
(newline)
(display reply)
(newline)
(newline)
(display (format "support: ~a of ~a turns, context peak ~a of ~a tokens~%"
                 (metrics-ref metrics 'turns 'used) (metrics-ref metrics 'turns 'limit)
                 (metrics-ref metrics 'context 'peak-usage) (metrics-ref metrics 'context 'limit)))
