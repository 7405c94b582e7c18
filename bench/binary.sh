# Sourced by the bench scripts: sets `bin` to OZON_RULES_BIN, or to a release build of
# ozon-rules made now.
if [[ -n "${OZON_RULES_BIN:-}" ]]; then
  bin="$OZON_RULES_BIN"
else
  swift build -c release --product ozon-rules >&2
  bin="$(swift build -c release --show-bin-path)/ozon-rules"
fi
