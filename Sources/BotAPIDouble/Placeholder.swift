// The Bot API double is being written.
