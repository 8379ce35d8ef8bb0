# Helpers shared by the recipes (sourced, not run): process liveness, port checks, readiness.
# Bash only (/dev/tcp), no extra tools. The caller has `set -euo pipefail`.

# Running and not a zombie. (A daemon whose starter has exited is re-parented to PID 1,
# which on these machines reaps lazily: `kill -0` stays true ~2 s after the exit.)
alive() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $st && $st != Z ]]
}

# Refuse to start on a port that already answers. (smtp-sink sets SO_REUSEPORT: a second
# instance on the same port starts fine and silently takes a share of the connections.)
port_busy() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_greeting HOST PORT PID TIMEOUT_S PREFIX: wait until HOST:PORT greets with a line
# starting with PREFIX ('220' SMTP, RFC 5321 §4.2; '+OK' POP3, RFC 1939 §4), then QUIT.
# Returns 0 when ready, 2 when PID died, 1 on timeout.
wait_greeting() {
  local host=$1 port=$2 pid=$3 deadline=$((SECONDS + $4)) prefix=$5
  while ((SECONDS < deadline)); do
    alive "$pid" || return 2
    # subshell: the fd and the stderr redirection stay local to it
    if (exec 3<>"/dev/tcp/$host/$port" && IFS= read -r -t 2 line <&3 && [[ $line == "$prefix"* ]] \
        && printf 'QUIT\r\n' >&3) 2>/dev/null; then
      return 0
    fi
    sleep 0.02
  done
  return 1
}

# ms_since T0: whole milliseconds since T0 (an $EPOCHREALTIME value), for the "ready in" lines.
ms_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%d", (b-a)*1000}'; }
