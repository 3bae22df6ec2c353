"""Makes the name lists the offline scrubber reads lower-case names with.

    pip download --no-deps --no-binary :all: names==0.3.0 -d /tmp && tar xzf /tmp/names-0.3.0.tar.gz -C /tmp
    apt-get install wamerican-small
    python3 core/data/names/make.py /tmp/names-0.3.0/names /usr/share/dict/american-english-small

Sources: the 1990 US census lists of given names and surnames (public
domain; the `names` package on PyPI ships them as dist.*.first and
dist.all.last) and SCOWL's size-35 American English word list (Debian's
wamerican-small), which says which names are also ordinary words.

Writes, one lower-case word per line, sorted:
- given.txt: given names that are not ordinary English words ("john",
  "mary"): a name wherever it is written.
- given_also_words.txt: given names that are ("mark", "will", "grace"):
  a name only when a surname follows ("will smith").
- surnames.txt: the census surnames at least one in 50,000 people held
  (0.002 %) that are not ordinary words ("johnson", "singh"): a name
  after any given name.
- surnames_also_words.txt: those that are, among the thousand commonest
  surnames ("smith", "brown"): a name only after a given name that is not
  a word ("john smith", not "will smith").
Deterministic: no randomness, output sorted."""
import pathlib
import sys

census = pathlib.Path(sys.argv[1])
dictionary = {line.strip() for line in open(sys.argv[2], encoding="utf-8")}
out = pathlib.Path(__file__).parent

# Names whose sense as a word is rare in what people ask an assistant,
# though the word list holds it ("peter out", "harry", "mike" for a
# microphone): reading them as names costs little, missing them costs much.
RARE_AS_WORDS = {"maria", "peter", "harry", "martin", "victor", "mike", "carol", "sherry", "derrick", "warren", "sally", "patty", "matt", "eddy"}

# Words the list lacks in lower case that requests use as words: "max" and
# "min" for maximum and minimum, in prose and in code.
WORDS_NOT_LISTED = {"max", "min"}

# Given names that are more often a country, a state or a large city: these
# narrow down no one, and scrubbing them would take the place out of "time
# in paris" and of the name of every cluster of weather questions.
PLACES = {
    "adelaide", "america", "argentina", "asia", "carolina", "china", "cleveland", "columbus", "dakota", "dallas", "denver",
    "dominica", "florida", "france", "geneva", "georgia", "houston", "india", "israel", "kenya", "maryland", "milan",
    "nevada", "orlando", "paris", "raleigh", "santiago", "savannah", "sydney", "venice", "virginia",
}

# The rarest names of the lists are as often words of other languages
# ("len", "vida", "thu"); below these shares (per cent of people) a name is
# left out.
GIVEN_SHARE = 0.005
SURNAME_SHARE = 0.002

# A surname that is also a word ("smith", "still", "good") stands after a
# given name as often in "tell john still" as in "john smith": only the
# thousand commonest such surnames (at least this share) are kept.
WORD_SURNAME_SHARE = 0.012


def read(name):
    rows = []
    for line in open(census / name, encoding="ascii"):
        word, share = line.split()[:2]
        rows.append((word.lower(), float(share)))
    return rows


def is_word(name):
    return (name in dictionary and name not in RARE_AS_WORDS) or name in WORDS_NOT_LISTED


def names(rows, least_share, least_share_of_words=0.0):
    # Two-letter names ("al", "ed", "jo") are mostly abbreviations and words.
    return {
        name
        for name, share in rows
        if share >= least_share and (share >= least_share_of_words or not is_word(name)) and name.isalpha() and len(name) > 2 and name not in PLACES
    }


given = names(read("dist.male.first") + read("dist.female.first"), GIVEN_SHARE)
surnames = names(read("dist.all.last"), SURNAME_SHARE, WORD_SURNAME_SHARE)


def write(file, words):
    (out / file).write_text("".join(w + "\n" for w in sorted(words)), encoding="utf-8")


write("given.txt", {n for n in given if not is_word(n)})
write("given_also_words.txt", {n for n in given if is_word(n)})
write("surnames.txt", {n for n in surnames if not is_word(n)})
write("surnames_also_words.txt", {n for n in surnames if is_word(n)})
