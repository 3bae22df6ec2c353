//! Word lists the offline analyst relies on. Short on purpose: each list is
//! read by a rule that errs towards privacy (an unknown capitalised word is
//! treated as a proper noun).

/// Function words that carry no topic.
pub const STOPWORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "can't", "cannot", "could", "couldn't", "did", "didn't", "do",
    "does", "doesn't", "doing", "don't", "down", "during", "each", "else", "etc", "even", "ever",
    "every", "few", "for", "from", "further", "get", "gets", "getting", "give", "go", "going",
    "got", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "he'd", "he'll",
    "he's", "her", "here", "here's", "hers", "herself", "hey", "hi", "hello", "him", "himself",
    "his", "how", "how's", "however", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into", "is",
    "isn't", "it", "it's", "its", "itself", "just", "let", "let's", "like", "may", "me", "might",
    "more", "most", "much", "must", "mustn't", "my", "myself", "need", "no", "nor", "not", "now",
    "of", "off", "ok", "okay", "on", "once", "one", "only", "or", "other", "ought", "our",
    "ours", "ourselves", "out", "over", "own", "please", "pls", "really", "same", "shall",
    "shan't", "she", "she'd", "she'll", "she's", "should", "shouldn't", "so", "some", "such",
    "sure", "than", "thank", "thanks", "that", "that's", "the", "their", "theirs", "them",
    "themselves", "then", "there", "there's", "these", "they", "they'd", "they'll", "they're",
    "they've", "thing", "things", "this", "those", "through", "to", "too", "u", "under", "until",
    "up", "upon", "us", "very", "via", "want", "wanna", "was", "wasn't", "we", "we'd", "we'll",
    "we're", "we've", "well", "were", "weren't", "what", "what's", "when", "when's", "where",
    "where's", "whether", "which", "while", "who", "who's", "whom", "why", "why's", "will",
    "with", "won't", "would", "wouldn't", "yes", "yet", "you", "you'd", "you'll", "you're",
    "you've", "your", "yours", "yourself", "yourselves", "im", "dont", "cant", "know", "make",
    "use", "using", "used", "way", "want", "tell", "help", "new", "good", "many", "said", "say",
    "lot", "bit", "able", "s", "t", "re", "ve", "ll", "d", "m",
];

/// Capitalised words that are not proper nouns: sentence starters, requests,
/// calendar words, languages, and widely used technical names.
pub const COMMON_CAPITALISED: &[&str] = &[
    // requests and question openers
    "write", "help", "explain", "create", "generate", "give", "tell", "make", "list", "describe",
    "summarize", "summarise", "translate", "find", "show", "compare", "calculate", "solve",
    "draft", "design", "build", "implement", "fix", "debug", "convert", "rewrite", "edit",
    "suggest", "recommend", "provide", "plan", "set", "play", "turn", "start", "stop", "remind",
    "add", "remove", "delete", "check", "send", "call", "read", "open", "close", "search",
    "book", "order", "buy", "what", "why", "how", "when", "where", "who", "which", "whose",
    "can", "could", "would", "should", "will", "is", "are", "do", "does", "did", "was", "were",
    "have", "has", "please", "hey", "hi", "hello", "thanks", "thank", "ok", "okay", "yes", "no",
    "sure", "great", "good", "nice", "sorry", "also", "and", "but", "or", "so", "then", "now",
    "if", "in", "on", "at", "for", "with", "from", "to", "of", "by", "as", "after", "before",
    "the", "a", "an", "this", "that", "these", "those", "there", "here", "it", "its", "i", "my",
    "me", "we", "our", "you", "your", "he", "she", "they", "them", "their", "his", "her",
    "let", "let's", "imagine", "pretend", "act", "assume", "consider", "given", "using", "use",
    "what's", "how's", "i'm", "i've", "i'd", "i'll", "it's", "don't", "can't", "tl;dr",
    "step", "note", "question", "answer", "example", "title", "task", "user", "assistant",
    "human", "system", "okay", "alright", "well", "first", "second", "third", "next", "last",
    "finally", "also", "however", "therefore", "not", "any", "all", "some", "each", "every",
    "one", "two", "three", "new", "best", "top", "more", "most", "less", "very", "just",
    // calendar
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "today", "tomorrow", "yesterday", "christmas", "easter",
    // languages
    "english", "french", "german", "spanish", "italian", "portuguese", "dutch", "russian",
    "chinese", "japanese", "korean", "arabic", "hindi", "turkish", "polish", "swedish",
    "greek", "hebrew", "latin", "vietnamese", "thai", "indonesian", "ukrainian",
    // technical names in common use
    "python", "java", "javascript", "typescript", "rust", "go", "c", "c++", "c#", "ruby",
    "php", "swift", "kotlin", "scala", "haskell", "perl", "matlab", "r", "sql", "html", "css",
    "json", "xml", "yaml", "csv", "pdf", "api", "apis", "ai", "ml", "llm", "gpt", "chatgpt",
    "linux", "windows", "macos", "ios", "android", "unix", "bash", "excel", "word",
    "powerpoint", "docker", "kubernetes", "git", "github", "react", "vue", "angular", "node",
    "django", "flask", "pandas", "numpy", "pytorch", "tensorflow", "unity", "unreal",
    "minecraft", "pokemon", "pokémon", "zig", "lua", "dart", "flutter", "spring", "aws",
    "azure", "postgres", "postgresql", "mysql", "mongodb", "redis", "latex", "markdown",
    "emacs", "vim", "wifi", "bluetooth", "usb", "ram", "cpu", "gpu", "tv", "dj", "ok",
    "earth", "moon", "sun", "mars", "god", "bible", "covid", "internet", "web",
];

/// Verbs and nouns that follow a name in cue phrases such as "my name is".
pub const NAME_CUES: &[&str] = &[
    "my name is", "my name's", "i am called", "i'm called", "call me", "this is", "signed",
    "regards,", "sincerely,", "dear", "mr.", "mrs.", "ms.", "dr.", "prof.", "mr", "mrs", "ms",
    "dr", "prof", "name:",
];

/// Verbs whose subject, opening a sentence, is a person rather than a request.
pub const SUBJECT_VERBS: &[&str] = &[
    "is", "was", "has", "had", "lives", "lived", "said", "says", "asked", "asks", "wants",
    "wanted", "went", "works", "worked", "told", "gave", "got", "loves", "likes", "needs",
    "called", "met", "married", "died", "born", "grew", "moved", "studied", "owns", "sent",
    "wrote", "left", "and",
];
