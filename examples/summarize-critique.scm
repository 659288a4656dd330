;;; summarize-critique.scm: one task drafts a summary, another critiques it, until the
;;; critic accepts (director-evaluator from the standard library).
;;;
;;;   taskscheme run examples/summarize-critique.scm --model replay:examples/cassettes/summarize-critique.jsonl
;;;
;;; Every draft and every critique is a separate task call with its own Handler and
;;; limits; the loop itself is ordinary code and stops after at most 3 drafts.

(define article
  "Harbor City's council voted 7-2 on Tuesday to convert the disused Pier 9 warehouse into a public library and maker space. The project will cost 18 million dollars, of which 11 million comes from a state cultural grant and the rest from the city's capital budget over three years. Construction starts in March and the building should open in autumn of next year. Supporters argued the waterfront has no public indoor space and that the nearest library is a 40-minute bus ride for residents of the east side. The two councillors who voted against said the city should first repair its existing branch libraries, two of which have leaking roofs. The library will hold about 60,000 books, a workshop with 3D printers and sewing machines, and a cafe run by a local social enterprise that trains young people for jobs. The council also approved a late-night bus line connecting Pier 9 to the east side.")

;; Working memory: what every task of this program is told about its readers.
(with-context ((audience "residents reading the city newsletter on their phones"))

  (define-task (summarize text)
    #:system "You write short, accurate news summaries."
    #:max-turns 1
    #:context '(audience)
    "Summarize this article in at most three sentences for {{audience}}.

{{text}}")

  (define-task (revise text feedback)
    #:system "You write short, accurate news summaries."
    #:max-turns 1
    #:context '(audience)
    "Rewrite the summary of this article for {{audience}}, following the editor's notes.
At most three sentences.

Article:
{{text}}

{{feedback}}")

  (define-task (critique text summary)
    #:system "You are a strict newspaper editor. Answer with JSON only."
    #:max-turns 1
    #:output '((type . "object")
               (properties
                (verdict (type . "string") (enum "accept" "revise"))
                (notes (type . "string")))
               (required "verdict" "notes"))
    "Check this summary against the article. Accept it only if it is accurate, says who
decided what, gives the cost and who pays it, and says when it opens.

Article:
{{text}}

Summary:
{{summary}}")

  (define round 0)

  ;; The director: a first draft, or a revision when there is feedback.
  (define (draft text feedback)
    (set! round (+ round 1))
    (let ((summary (if feedback (revise text feedback) (summarize text))))
      (display (format "Draft ~a:~%~a~%~%" round summary))
      summary))

  ;; The evaluator: 'accept, or the notes (with the draft they are about) as feedback.
  (define (judge summary)
    (let* ((review (critique article summary))
           (verdict (cdr (assoc "verdict" review)))
           (notes (cdr (assoc "notes" review))))
      (display (format "Editor: ~a -- ~a~%~%" verdict notes))
      (if (string=? verdict "accept")
          'accept
          (string-append "Previous summary:\n" summary "\n\nEditor's notes:\n" notes))))

  (define final (director-evaluator draft judge article #:max-iterations 3))

  (display (format "Final summary after ~a draft(s):~%~a~%~%" round final))
  (display "Last task: ")
  (display (metrics-ref (task-metrics) 'task))
  (display (format ", turns ~a/~a, context peak ~a tokens~%"
                   (metrics-ref (task-metrics) 'turns 'used)
                   (metrics-ref (task-metrics) 'turns 'limit)
                   (metrics-ref (task-metrics) 'context 'peak-usage))))
