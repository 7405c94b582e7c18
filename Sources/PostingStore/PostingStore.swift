// The decision store: see the posting-store work.
