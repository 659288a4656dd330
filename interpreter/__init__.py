"""taskscheme: a Scheme for programs that call language models under hard cost control."""
