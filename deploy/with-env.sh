#!/bin/sh
# Run a command with the settings of an untracked .env.production (ENV_FILE) added to the
# environment: KEY=value lines, the format of systemd's EnvironmentFile, without quotes.
# A variable already in the environment wins over the file.
set -eu
ENV_FILE=${ENV_FILE:-.env.production}
if [ -f "$ENV_FILE" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in '' | '#'*) continue ;; esac
        key=${line%%=*}
        case "$key" in
            '' | *[!A-Za-z0-9_]*)
                echo "$ENV_FILE: not a KEY=value line: $line" >&2
                exit 1
                ;;
        esac
        eval "is_set=\${$key+yes}"
        [ -n "$is_set" ] || export "$line"
    done <"$ENV_FILE"
fi
exec "$@"
