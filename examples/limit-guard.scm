;;; limit-guard.scm: hitting limits on purpose, and handling them with guard.
;;;
;;;   taskscheme run examples/limit-guard.scm --model replay:examples/cassettes/limit-guard.jsonl
;;;
;;; A limit ends the task at once with a resource-exhausted error that carries what ran
;;; out, the metrics and the conversation so far. Nothing is retried; the program
;;; decides what to do.

(define (show-exhaustion e)
  (let ((metrics (resource-error-metrics e)))
    (display (format "task ~a ran out of ~a: ~a~%"
                     (resource-error-task e) (resource-error-resource e) (error-object-message e)))
    (display (format "  turns ~a/~a, context ~a/~a tokens (peak ~a), ~a messages in the transcript~%"
                     (metrics-ref metrics 'turns 'used) (metrics-ref metrics 'turns 'limit)
                     (metrics-ref metrics 'context 'used) (metrics-ref metrics 'context 'limit)
                     (metrics-ref metrics 'context 'peak-usage)
                     (length (resource-error-transcript e))))))

;; 1. Turns. The model keeps searching; the task allows 2 requests, so the third is
;;    refused before it is sent.

(define notes
  '("Q3 revenue grew 12% on subscription sales."
    "Churn fell to 2.1% after the onboarding redesign."
    "The Berlin office opens in January."))

(define-tool (search-notes (query string "Words to look for"))
  "Search the meeting notes. Returns the matching notes."
  (filter (lambda (note) (string-contains (string-downcase note) (string-downcase query)))
          notes))

(define-task (research question)
  #:system "Answer from the meeting notes. Search before answering."
  #:max-turns 2
  #:tools (list search-notes)
  "{{question}}")

(define answer
  (guard (e ((resource-exhausted? e)
             (show-exhaustion e)
             "(no answer: the research task ran out of turns)"))
    (research "What happened to revenue and churn, and where is the new office?")))

(display (format "answer: ~a~%~%" answer))

;; 2. Context. The task may use 0.1% of the model's window (128 tokens of 128,000); the
;;    prompt alone is larger, so it is refused before anything is sent to the model.

(define report (string-repeat "Revenue, churn and hiring were discussed at length. " 40))

(define-task (summarize text)
  #:context-fraction 0.001
  "Summarize: {{text}}")

(guard (e ((resource-exhausted? e) (show-exhaustion e)))
  (summarize report))
