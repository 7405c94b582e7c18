// Lua policy tests: see the tooling work.
