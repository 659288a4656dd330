"""What the `memory` command line shows before anything is opened: the kinds of entry
and the indexer's size limit. They live apart from the store and the file walker so that
building the command line (on every `taskscheme` start) loads neither SQLite nor
subprocess.
"""

# What an entry of the store is: a passage of a document, or a procedure of a .scm file.
KINDS = ("document", "procedure")
# Files larger than this are skipped (and reported) unless the indexer is told otherwise.
MAX_FILE_BYTES = 2 * 1024 * 1024
