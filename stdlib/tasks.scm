;;; Composing tasks: ordinary procedures over tasks.
;;;
;;; A task is a procedure, so these work with any procedure; each task call still runs
;;; under its own Handler. parallel-map is a host procedure (it needs threads).

;; (pipeline t1 t2 ...) => a procedure of one argument that feeds it to t1, t1's
;; result to t2, and so on, returning the last result. (pipeline) is the identity.
(define (pipeline . tasks)
  (lambda (input) (%run-in-order input tasks)))

;; (run-pipeline input t1 t2 ...) = ((pipeline t1 t2 ...) input)
(define (run-pipeline input . tasks)
  (%run-in-order input tasks))

(define (%run-in-order value tasks)
  (if (null? tasks)
      value
      (%run-in-order ((car tasks) value) (cdr tasks))))

;; (reduce-tasks task inputs initial): calls (task accumulator item) for each item, left
;; to right, starting from initial; returns the last accumulator.
(define (reduce-tasks task inputs initial)
  (fold-left task initial inputs))

;; (director-evaluator director evaluator input #:max-iterations N)
;;
;; Drafts with one procedure, judges with another, until the judge accepts:
;;   1. draft := (director input feedback), where feedback is #f the first time;
;;   2. verdict := (evaluator draft);
;;   3. a verdict of #t or the symbol accept ends the loop with draft; any other verdict
;;      (normally text saying what to fix) becomes the feedback of the next round.
;; At most N drafts are made (default 3). The last allowed draft is returned without
;; calling the evaluator, since its feedback could not be used.
(define (director-evaluator director evaluator input #:key (max-iterations 3))
  (unless (and (exact-integer? max-iterations) (positive? max-iterations))
    (error "director-evaluator: #:max-iterations must be a positive integer, got" max-iterations))
  (let loop ((round 1) (feedback #f))
    (let ((draft (director input feedback)))
      (if (= round max-iterations)
          draft
          (let ((verdict (evaluator draft)))
            (if (or (eq? verdict #t) (eq? verdict 'accept))
                draft
                (loop (+ round 1) verdict)))))))
