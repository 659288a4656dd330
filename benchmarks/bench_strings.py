"""String-heavy loops on literal (immutable) strings and on mutable copies of them.

    python benchmarks/bench_strings.py [--quick]

Strings that `make-string`, `string-copy`, `string-append` and the other R7RS "newly
allocated" strings return can be changed with `string-set!`; literals cannot. Each line
is the best of several runs of one loop, given literal strings and given mutable copies,
and the ratio of the two in the same run. Goal: mutable strings cost string-heavy code
at most a few percent (ratio near 1.0). Run it on an older checkout (with PYTHONPATH
pointing there) to compare the literal column before and after a change.
"""

from __future__ import annotations

import sys
import time

from table import best

from interpreter.engine.interpreter import Interpreter

SETUP = """
(define (pieces make) (list (make "alpha") (make "beta") (make "gamma-delta")))
(define long-text (make-long "{text}"))
(define (append-loop words n)
  (let loop ((i 0) (total 0))
    (if (= i n) total
        (loop (+ i 1) (+ total (string-length (string-append (car words) "-" (cadr words))))))))
(define (ref-loop s)
  (let ((n (string-length s)))
    (let loop ((i 0) (count 0))
      (if (= i n) count
          (loop (+ i 1) (if (char=? (string-ref s i) #\\a) (+ count 1) count))))))
(define (list-loop s n)
  (let loop ((i 0) (total 0))
    (if (= i n) total (loop (+ i 1) (+ total (length (string->list s)))))))
(define (compare-loop words n)
  (let loop ((i 0) (count 0))
    (if (= i n) count
        (loop (+ i 1) (if (string<? (car words) (caddr words)) (+ count 1) count)))))
"""

CASES = {
    "string-append": "(append-loop {words} {n})",
    "string-ref": "(ref-loop {text})",
    "string->list": "(list-loop {words_first} {n})",
    "string<?": "(compare-loop {words} {n})",
}


def main() -> None:
    quick = "--quick" in sys.argv
    n, runs = (5_000, 3) if quick else (50_000, 5)
    interpreter = Interpreter()
    text = "abracadabra " * (n // 10)
    interpreter.eval_scheme("(define (make-long s) s)")
    interpreter.eval_scheme(SETUP.format(text=text))
    interpreter.eval_scheme("(define literal-words (pieces (lambda (s) s)))")
    interpreter.eval_scheme("(define mutable-words (pieces string-copy))")
    interpreter.eval_scheme("(define mutable-text (string-copy long-text))")
    arguments = {
        "literal": {"words": "literal-words", "text": "long-text"},
        "mutable": {"words": "mutable-words", "text": "mutable-text"},
    }
    print(f"{'loop':16} {'literal':>10} {'mutable':>10} {'ratio':>7}  (n = {n:,})")
    for name, template in CASES.items():
        times = {}
        for kind, names in arguments.items():
            program = template.format(
                n=n, words=names["words"], text=names["text"], words_first=f"(car {names['words']})"
            )
            times[kind] = best(
                lambda program=program: interpreter.eval_scheme(program), runs, time.perf_counter
            )
        literal, mutable = times["literal"], times["mutable"]
        print(
            f"{name:16} {literal * 1000:8.1f}ms {mutable * 1000:8.1f}ms {mutable / literal:6.2f}x"
        )


if __name__ == "__main__":
    main()
