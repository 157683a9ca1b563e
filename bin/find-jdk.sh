# Sourced by ./mvnw and ./demo: prints the home of a JDK 21 or newer (see ./mvnw for the order).
loomchat_jdk_major() {  # the major version of the JDK at $1, from its release file or javac
    local home="$1" v=""
    [ -x "$home/bin/javac" ] || return 1
    if [ -f "$home/release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
    fi
    if [ -z "$v" ]; then
        v=$("$home/bin/javac" -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')
    fi
    [ -n "$v" ] && echo "$v"
}

loomchat_find_jdk() {
    local v best="" best_v=0 dir home
    if [ -n "${JAVA_HOME:-}" ] && v=$(loomchat_jdk_major "$JAVA_HOME") && [ "$v" -ge 21 ]; then
        echo "$JAVA_HOME"; return 0
    fi
    for dir in ${LOOMCHAT_JDK_DIRS:-/usr/lib/jvm}; do
        for home in "$dir"/*; do
            [ -d "$home" ] && [ ! -L "$home" ] || continue
            v=$(loomchat_jdk_major "$home") || continue
            if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$home"; best_v="$v"; fi
        done
    done
    if [ -n "$best" ]; then echo "$best"; return 0; fi
    if command -v javac >/dev/null; then
        home="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
        if v=$(loomchat_jdk_major "$home") && [ "$v" -ge 21 ]; then echo "$home"; return 0; fi
    fi
    echo "loomchat needs a JDK 21 or newer and found none (looked at JAVA_HOME, /usr/lib/jvm and PATH): install one, for example 'apt-get install openjdk-21-jdk-headless'." >&2
    return 1
}
