#!/usr/bin/env bash
# The shell completions of openai-images: bash's completion function run on partial command
# lines (COMP_WORDS/COMP_CWORD set by hand, COMPREPLY checked); the zsh and fish scripts produced
# and, where those shells are installed, syntax-checked.
#   completion_test.sh CLI [bash|zsh|fish]
set -uo pipefail
CLI=$1
SHELLS=${2:-bash zsh fish}
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

check_bash() {
    local script
    script=$("$CLI" completion bash) || { fail "completion bash exited $?"; return; }
    # Each case: the words of the line (the last one is being completed), then the words that
    # COMPREPLY must hold, after '=>' ('!' before a word: must not hold it).
    bash -c '
        eval "$1"; shift
        status=0
        while [ $# -gt 0 ]; do
            words=(); while [ "$1" != "=>" ]; do words+=("$1"); shift; done; shift
            expect=(); while [ $# -gt 0 ] && [ "$1" != ";" ]; do expect+=("$1"); shift; done
            [ $# -gt 0 ] && shift
            COMP_WORDS=("${words[@]}"); COMP_CWORD=$(( ${#words[@]} - 1 )); COMPREPLY=()
            COMP_LINE="${words[*]}"; COMP_POINT=${#COMP_LINE}
            _openai_images
            got=" ${COMPREPLY[*]} "
            for e in "${expect[@]}"; do
                if [ "${e#!}" != "$e" ]; then
                    case $got in *" ${e#!} "*) echo "FAIL: [${words[*]}] offers ${e#!}: $got"; status=1 ;; esac
                else
                    case $got in *" $e "*) ;; *) echo "FAIL: [${words[*]}] lacks $e: $got"; status=1 ;; esac
                fi
            done
            echo "ok: [${words[*]}] ->$got"
        done
        exit $status
    ' bash "$script" \
        openai-images "" "=>" generate edit variation batch preview loadtest completion man help version ";" \
        openai-images ge "=>" generate "!edit" ";" \
        openai-images l "=>" loadtest ";" \
        openai-images generate --qu "=>" --quality "!--prompt" ";" \
        openai-images generate --prompt x --st "=>" --stream --style ";" \
        openai-images generate --quality "" "=>" low medium high auto hd standard xhigh max ";" \
        openai-images generate --quality = h "=>" high hd "!low" ";" \
        openai-images generate --background t "=>" transparent ";" \
        openai-images edit --input-fidelity "" "=>" high low ";" \
        openai-images edit --im "=>" --image --image-url ";" \
        openai-images variation --size "" "=>" 256x256 512x512 1024x1024 "!1536x1024" ";" \
        openai-images variation --st "=>" "!--stream" "!--style" ";" \
        openai-images generate --preview "" "=>" auto kitty sixel blocks ";" \
        openai-images loadtest --arrival p "=>" poisson ";" \
        openai-images batch --sh "=>" --shard ";" \
        openai-images completion "" "=>" bash zsh fish ";" \
        openai-images completion z "=>" zsh ";" \
        openai-images generate --prompt "" "=>" "!--quality" ";" \
        || fail "bash completion cases"
}

check_zsh() {
    local script
    script=$("$CLI" completion zsh) || { fail "completion zsh exited $?"; return; }
    grep -q '^#compdef openai-images' <<<"$script" || fail "zsh script lacks #compdef"
    grep -q -- "--quality=\[" <<<"$script" || fail "zsh script lacks --quality"
    if command -v zsh >/dev/null 2>&1; then
        zsh -n <<<"$script" || fail "zsh -n"
        # Loaded for real: compinit, then the function defined and registered.
        zsh -f -c 'autoload -Uz compinit && compinit -u -D && eval "$1" && (( $+functions[_openai_images] )) && [[ ${_comps[openai-images]} == _openai_images ]]' zsh "$script" \
            || fail "zsh could not load the script"
        echo "ok: zsh -n and compdef"
    else
        echo "zsh not installed: zsh script produced, not syntax-checked"
    fi
}

check_fish() {
    local script
    script=$("$CLI" completion fish) || { fail "completion fish exited $?"; return; }
    grep -q -- "-l quality" <<<"$script" || fail "fish script lacks --quality"
    if command -v fish >/dev/null 2>&1; then
        fish -n <<<"$script" || fail "fish -n"
        # Loaded for real, then asked what it completes.
        local got
        got=$(fish -N -c "$script
complete -C 'openai-images generate --quality h'" 2>&1) || fail "fish could not load the script"
        grep -q '^high' <<<"$got" || fail "fish does not complete --quality h to high: $got"
        got=$(fish -N -c "$script
complete -C 'openai-images gen'" 2>&1)
        grep -q '^generate' <<<"$got" || fail "fish does not complete gen to generate: $got"
        echo "ok: fish -n and completions"
    else
        echo "fish not installed: fish script produced, not syntax-checked"
    fi
}

for s in $SHELLS; do "check_$s"; done
"$CLI" completion tcsh >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown shell is not a usage error"
[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "completions: all good"
