using AdminPortal.Data.Hosts;
using AdminPortal.Data.VpnServers;
using static AdminPortal.Web.Hosts.Ssh.ShellQuote;

namespace AdminPortal.Web.VpnServers;

/// <summary>
/// The shell scripts of a publish, run on the VPN host as root (through <c>sudo -n sh -c</c> when the login user is not
/// root). Every value in them is a validated field, and single-quoted.
/// </summary>
public static class PublishScripts
{
    public const string Previous = ".previous";

    /// <summary>The host's record of the highest publish generation installed in the config directory.</summary>
    public const string GenerationFile = ".adminportal-publish-generation";

    /// <summary>What the fenced steps hold (<c>flock</c>) while they compare with and change <see cref="GenerationFile"/>.</summary>
    public const string LockFile = ".adminportal-publish.lock";

    /// <summary>A fenced step's exit code when a newer publish is installed: it changed nothing.</summary>
    public const int Superseded = 75;

    /// <summary>A fenced step's exit code when another publish held the lock for longer than <see cref="LockWaitSeconds"/>.</summary>
    public const int LockBusy = 74;

    private const int LockWaitSeconds = 60;

    /// <summary>
    /// The host's record of the cRLNumber(s) of the installed crl.pem (<see cref="CrlStamp"/>), written under <see cref="LockFile"/>
    /// whenever crl.pem is: a publish or a CRL push with an older CRL keeps the installed one, so the CRL never goes backwards.
    /// </summary>
    public const string CrlNumberFile = ".adminportal-crl-number";

    /// <summary>
    /// <c>crl_order CANDIDATE INSTALLED CRLFILE</c> (two record files and the installed crl.pem) prints newer, same or older:
    /// newer when the installed record is unknown (missing, or its <c>sha256</c> line is not that of CRLFILE: a crl.pem put there
    /// by other means), when a number is higher or the issuers differ; older when a CRL of an issuer in both has a lower number
    /// in the candidate, or only the candidate is unknown (no numbers). <c>crl_numbers FILE</c> prints a record's numbers;
    /// <c>crl_seal FILE CRLFILE</c> adds the <c>sha256</c> line of the crl.pem it records.
    /// </summary>
    private const string CrlOrder = """
        crl_ids() { grep -v '^sha256 ' "$1" 2>/dev/null || true; }
        crl_numbers() { n=$(crl_ids "$1" | cut -d' ' -f2 | paste -sd, -); echo "${n:-unknown}"; }
        crl_seal() { h=$(sha256sum < "$2") || return 1; printf 'sha256 %s\n' "${h%% *}" >> "$1"; }
        crl_order() {
          [ -e "$3" ] && [ -s "$2" ] || { echo newer; return 0; }
          grep -qx "sha256 $(sha256sum < "$3" | cut -d' ' -f1)" "$2" || { echo newer; return 0; }
          [ -n "$(crl_ids "$1")" ] || { echo older; return 0; }
          o=same
          while read -r k n; do
            case "$k" in ''|*[!0-9a-f]*) continue ;; esac
            case "$n" in ''|*[!0-9]*) continue ;; esac
            i=$(grep -m1 "^$k " "$2" | cut -d' ' -f2)
            case "$i" in ''|*[!0-9]*) o=newer; continue ;; esac
            if [ "$n" -lt "$i" ]; then echo older; return 0; fi
            if [ "$n" -gt "$i" ]; then o=newer; fi
          done < "$1"
          if [ $o = same ] && [ "$(crl_ids "$1" | wc -l)" -ne "$(crl_ids "$2" | wc -l)" ]; then o=newer; fi
          echo $o
        }
        """;

    /// <summary>Each publish stages in a folder of its own, so that a late one never installs (or removes) another's files.</summary>
    public static string Staged(long generation) => $".staged-{generation.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The script as root: itself for root, else wrapped in <c>sudo -n sh -c</c>.</summary>
    public static string AsRoot(ManagedHost host, string script) => host.User == "root" ? script : $"sudo -n sh -c {Quote(script)}";

    /// <summary>Runs in the server's network namespace when it has one (daemon mode).</summary>
    private static string InNamespace(VpnServer s) => s.NetNamespace is { } ns ? $"ip netns exec {Quote(ns)} " : "";

    private static string Files => string.Join(' ', ServerFiles.Names.Select(Quote));

    /// <summary>Installs OpenVPN and socat from the distribution's packages when missing (Debian/Ubuntu: apt-get).</summary>
    public const string Install = """
        set -eu
        if command -v openvpn >/dev/null && command -v socat >/dev/null; then echo "openvpn and socat are installed: $(openvpn --version | head -n 1)"; exit 0; fi
        command -v apt-get >/dev/null || { echo "no apt-get on this host: install openvpn and socat by hand" >&2; exit 1; }
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=120 update -q
        apt-get -o DPkg::Lock::Timeout=120 install -y -q openvpn socat
        echo "installed: $(openvpn --version | head -n 1)"
        """;

    /// <summary>Creates the config directory and an empty staging folder (with ccd/) that the login user can upload into.</summary>
    public static string Prepare(VpnServer s, long generation, string loginUser) => $"""
        set -eu
        d={Quote(s.ConfigDir)}
        st={Quote(Staged(generation))}
        mkdir -p -m 755 -- "$d"
        rm -rf -- "$d/$st"
        mkdir -m 755 -- "$d/$st" "$d/$st/ccd"
        chown -- {Quote(loginUser + ":")} "$d/$st"
        echo "staging in $d/$st"
        """;

    /// <summary>
    /// Starts OpenVPN on the staged files (its real parsing and key, certificate and CRL loading) on an ephemeral port,
    /// without addresses or routes and with a management socket of its own; accepted when it reaches
    /// "Initialization Sequence Completed" (bounded, 10 s). The running server is untouched. On refusal, OpenVPN's own
    /// lines go to stderr.
    /// </summary>
    public static string Check(VpnServer s, long generation) => $"""
        set -u
        d={Quote(s.ConfigDir + "/" + Staged(generation))}
        [ -d "$d" ] || {"{"} echo "the staged files are gone: a newer publish of this server was installed meanwhile" >&2; exit 1; {"}"}
        log=$(mktemp /tmp/ovpn-check-XXXXXX.log)
        sock=$(mktemp -u /tmp/ovpn-check-XXXXXX.sock)
        {InNamespace(s)}openvpn --cd "$d" --config server.conf --ifconfig-noexec --route-noexec --lport 0 --management "$sock" unix --log "$log" --verb 3 >/dev/null 2>&1 &
        p=$!
        ok=0
        i=0
        while [ $i -lt 100 ]; do
          if grep -q 'Initialization Sequence Completed' "$log"; then ok=1; break; fi
          kill -0 "$p" 2>/dev/null || break
          sleep 0.1
          i=$((i+1))
        done
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
        if [ $ok = 1 ]; then echo "OpenVPN accepted the configuration (trial start on the staged files)"; rm -f -- "$log" "$sock"; exit 0; fi
        echo "OpenVPN refused the configuration:" >&2
        grep -v -E ' (WARNING|NOTE|Note|DEPRECATED)' "$log" | sed -E 's/^[0-9]{"{4}"}-[0-9]{"{2}"}-[0-9]{"{2}"} [0-9:]{"{8}"} //' | tail -n 12 >&2
        rm -f -- "$log" "$sock"
        exit 1
        """;

    /// <summary>Unpacks the per-user client-config-dir files (a tar on stdin) into the staging folder's ccd/, owned by root, mode 644.</summary>
    public static string UnpackClientConfigs(VpnServer s, long generation) => $"""
        set -eu
        c={Quote(s.ConfigDir + "/" + Staged(generation) + "/ccd")}
        tar -x -C "$c" --no-same-owner --no-same-permissions -f -
        chown -R root: -- "$c"
        chmod 644 -- "$c"/*
        echo "unpacked $(ls -1 "$c" | wc -l) client-config-dir file(s)"
        """;

    /// <summary>
    /// Copies the deployed files to .previous/ (marking the ones that did not exist), renames the staged ones into place and
    /// records <paramref name="generation"/> in <see cref="GenerationFile"/>; removes the staging folders of this and older
    /// publishes, which can no longer install. The staged crl.pem is installed (and <paramref name="crl"/> recorded in
    /// <see cref="CrlNumberFile"/>) unless the installed one is newer: then it stays, and the output says so. Run <see cref="Fenced"/>.
    /// </summary>
    public static string BackupAndInstall(VpnServer s, long generation, CrlStamp? crl) => $"""
        set -eu
        {CrlOrder}
        d={Quote(s.ConfigDir)}
        st={Quote(Staged(generation))}
        gen={generation.ToString(System.Globalization.CultureInfo.InvariantCulture)}
        rm -rf -- "$d/{Previous}"
        mkdir -m 700 -- "$d/{Previous}"
        for f in {Files}; do
          if [ -e "$d/$f" ]; then cp -p -- "$d/$f" "$d/{Previous}/$f"; else : > "$d/{Previous}/$f.absent"; fi
        done
        if [ -e "$d/{CrlNumberFile}" ]; then cp -p -- "$d/{CrlNumberFile}" "$d/{Previous}/{CrlNumberFile}"; fi
        if [ -d "$d/ccd" ]; then cp -a -- "$d/ccd" "$d/{Previous}/ccd"; else : > "$d/{Previous}/ccd.absent"; fi
        echo "backed up the deployed files to $d/{Previous}"
        r="$d/$st/{CrlNumberFile}"
        {CrlStamp.WriteRecord(crl, "r")}
        keepcrl=0
        if [ "$(crl_order "$r" "$d/{CrlNumberFile}" "$d/crl.pem")" = older ]; then keepcrl=1; fi
        for f in {Files}; do
          if [ "$f" = crl.pem ] && [ $keepcrl = 1 ]; then rm -f -- "$d/$st/$f"; continue; fi
          mv -f -- "$d/$st/$f" "$d/$f"
        done
        if [ $keepcrl = 1 ]; then
          echo "kept the installed crl.pem (CRL number $(crl_numbers "$d/{CrlNumberFile}")): this publish's CRL (number $(crl_numbers "$r")) is older"
          rm -f -- "$r"
        else
          crl_seal "$r" "$d/crl.pem"
          mv -f -- "$r" "$d/{CrlNumberFile}"
        fi
        rm -rf -- "$d/ccd.old"
        if [ -d "$d/ccd" ]; then mv -- "$d/ccd" "$d/ccd.old"; fi
        mv -- "$d/$st/ccd" "$d/ccd"
        rm -rf -- "$d/ccd.old"
        printf '%s\n' "$gen" > "$d/{GenerationFile}.tmp"
        mv -f -- "$d/{GenerationFile}.tmp" "$d/{GenerationFile}"
        for old in "$d"/.staged-* "$d/.staged"; do
          n=${"{"}old##*/.staged{"}"}; n=${"{"}n#-{"}"}
          case "$n" in ''|*[!0-9]*) [ "$old" = "$d/.staged" ] && rm -rf -- "$old"; continue ;; esac
          if [ "$n" -le "$gen" ]; then rm -rf -- "$old"; fi
        done
        echo "installed: {string.Join(", ", ServerFiles.Names)} (publish generation $gen)"
        """;

    /// <summary>
    /// <paramref name="script"/> (a step's script, run in a subshell) under <c>flock</c> on <see cref="LockFile"/> in the config
    /// directory, only if the host's <see cref="GenerationFile"/> is not newer than <paramref name="generation"/>: otherwise it
    /// exits <see cref="Superseded"/> with the reason on stderr and changes nothing. The lock's descriptor is not passed on
    /// (<c>flock -o</c>), so a daemon the script starts does not hold it.
    /// </summary>
    public static string Fenced(VpnServer s, long generation, string script)
    {
        var gen = generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var inner = $"""
            set -u
            d={Quote(s.ConfigDir)}
            g=0
            if [ -e "$d/{GenerationFile}" ]; then g=$(cat -- "$d/{GenerationFile}") || exit 1; fi
            case "$g" in ''|*[!0-9]*) echo "$d/{GenerationFile} does not hold a publish generation: '$g'" >&2; exit 1 ;; esac
            if [ "$g" -gt {gen} ]; then
              rm -rf -- "$d/"{Quote(Staged(generation))}
              echo "a newer publish (generation $g) is already installed; nothing changed (this publish is generation {gen})" >&2
              exit {Superseded}
            fi
            (
            {script}
            )
            """;
        return $"""
            d={Quote(s.ConfigDir)}
            flock -o -E {LockBusy} -w {LockWaitSeconds} "$d/{LockFile}" sh -c {Quote(inner)}
            rc=$?
            if [ $rc -eq {LockBusy} ]; then echo "another publish held $d/{LockFile} for {LockWaitSeconds} s; nothing changed" >&2; fi
            exit $rc
            """;
    }

    /// <summary>
    /// Writes crl.pem (its bytes on stdin) under <c>flock</c> on <see cref="LockFile"/>, as publishes install: mode 644, an mtime
    /// in a later whole second than the file it replaces (<see cref="Hosts.Ssh.FileStamps.LaterSecond"/>), renamed into place, and
    /// <paramref name="crl"/> recorded in <see cref="CrlNumberFile"/>. When the installed CRL is as new or newer it changes nothing
    /// and prints <see cref="CrlAlreadyInstalled"/> and the installed number(s).
    /// </summary>
    public static string CrlPush(VpnServer s, CrlStamp crl)
    {
        var inner = $"""
            set -eu
            {CrlOrder}
            d={Quote(s.ConfigDir)}
            p="$d/crl.pem"
            t="$d/.crl.pem.portal-$$.tmp"
            c="$d/.crl-number.portal-$$.tmp"
            trap 'rm -f -- "$t" "$c"' EXIT
            {CrlStamp.WriteRecord(crl, "c")}
            cat > "$t"
            if [ "$(crl_order "$c" "$d/{CrlNumberFile}" "$p")" != newer ]; then
              echo "{CrlAlreadyInstalled} $(crl_numbers "$d/{CrlNumberFile}"); crl.pem unchanged (the pushed CRL is number {crl.Numbers})"
              exit 0
            fi
            chmod 644 -- "$t"
            {Hosts.Ssh.FileStamps.LaterSecond("", "p", "t")}
            mv -f -- "$t" "$p"
            crl_seal "$c" "$p"
            chmod 644 -- "$c"
            mv -f -- "$c" "$d/{CrlNumberFile}"
            echo "installed crl.pem (CRL number {crl.Numbers})"
            """;
        return $"""
            d={Quote(s.ConfigDir)}
            mkdir -p -- "$d" || exit 1
            flock -o -E {LockBusy} -w {LockWaitSeconds} "$d/{LockFile}" sh -c {Quote(inner)}
            rc=$?
            if [ $rc -eq {LockBusy} ]; then echo "a publish or another CRL push held $d/{LockFile} for {LockWaitSeconds} s; crl.pem not written" >&2; fi
            exit $rc
            """;
    }

    /// <summary>What <see cref="CrlPush"/> prints when the host's CRL is as new as the pushed one or newer.</summary>
    public const string CrlAlreadyInstalled = "already has CRL number";

    /// <summary>Puts the backed-up files back (removing the ones that did not exist before); crl.pem only when the backed-up one is newer.</summary>
    public static string Restore(VpnServer s) => $"""
        set -eu
        {CrlOrder}
        d={Quote(s.ConfigDir)}
        keepcrl=0
        if [ "$(crl_order "$d/{Previous}/{CrlNumberFile}" "$d/{CrlNumberFile}" "$d/crl.pem")" != newer ]; then keepcrl=1; fi
        for f in {Files}; do
          if [ "$f" = crl.pem ] && [ $keepcrl = 1 ]; then continue; fi
          if [ -e "$d/{Previous}/$f.absent" ]; then rm -f -- "$d/$f"; elif [ -e "$d/{Previous}/$f" ]; then mv -f -- "$d/{Previous}/$f" "$d/$f"; fi
        done
        if [ $keepcrl = 1 ]; then
          echo "kept the installed crl.pem (CRL number $(crl_numbers "$d/{CrlNumberFile}")): the previous one is not newer"
        elif [ -e "$d/{Previous}/{CrlNumberFile}" ]; then mv -f -- "$d/{Previous}/{CrlNumberFile}" "$d/{CrlNumberFile}"
        else rm -f -- "$d/{CrlNumberFile}"
        fi
        if [ -d "$d/{Previous}/ccd" ]; then rm -rf -- "$d/ccd"; mv -- "$d/{Previous}/ccd" "$d/ccd"; elif [ -e "$d/{Previous}/ccd.absent" ]; then rm -rf -- "$d/ccd"; mkdir -m 755 -- "$d/ccd"; fi
        echo "restored the previous files"
        """;

    /// <summary>
    /// A shell snippet that sends its stdin (management commands) to the socket, waits (bounded, 10 s) until all
    /// <paramref name="commands"/> answers ended (END, SUCCESS: or ERROR:), then sends <c>quit</c> and prints the answers.
    /// Quitting earlier loses them: OpenVPN closes the connection before it flushes what it queued.
    /// </summary>
    public static string Management(string socket, int commands) => $$"""
        out=$(mktemp /tmp/ovpn-mgmt-XXXXXX)
        { cat; n=0; while [ $n -lt 200 ] && [ "$(grep -c -E '^(END|SUCCESS:|ERROR:)' "$out")" -lt {{commands}} ]; do sleep 0.05; n=$((n+1)); done; printf 'quit\n'; } | socat -t 5 - UNIX-CONNECT:{{Quote(socket)}} > "$out"
        rc=$?
        cat "$out"
        rm -f -- "$out"
        [ $rc -eq 0 ]
        """;

    private static string PidFile(VpnServer s) => Quote(s.ConfigDir + "/openvpn.pid");
    public static string LogFile(VpnServer s) => s.ConfigDir + "/openvpn.log";

    private const string Alive = """alive() { st=$(sed -E 's/.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1; [ -n "$st" ] && [ "$st" != Z ]; }""";

    /// <summary>systemd: <c>systemctl restart</c>. daemon: stop the pidfile's OpenVPN (bounded), start <c>openvpn --daemon</c>.</summary>
    public static string Restart(VpnServer s) => s.RunMode == VpnRunMode.Systemd
        ? $"systemctl restart -- {Quote(s.ServiceName)} && echo {Quote($"restarted {s.ServiceName}")}"
        : $"""
        set -u
        {Alive}
        d={Quote(s.ConfigDir)}
        pidf={PidFile(s)}
        if [ -f "$pidf" ]; then
          p=$(cat "$pidf")
          if [ -n "$p" ] && alive "$p" && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = openvpn ]; then
            kill "$p"
            i=0; while [ $i -lt 100 ] && alive "$p"; do sleep 0.1; i=$((i+1)); done
            if alive "$p"; then kill -9 "$p"; fi
            echo "stopped OpenVPN (pid $p)"
          fi
          rm -f -- "$pidf"
        fi
        rm -f -- {Quote(s.ManagementSocket)}
        {InNamespace(s)}openvpn --daemon {Quote("openvpn-" + s.Name)} --writepid "$pidf" --log-append {Quote(LogFile(s))} --cd "$d" --config server.conf || exit 1
        echo "started OpenVPN{(s.NetNamespace is null ? "" : $" in network namespace {s.NetNamespace}")}"
        """;

    /// <summary>Alive (service active, or the pidfile's process) and the management interface answers <c>state</c>; bounded, 15 s.</summary>
    public static string Health(VpnServer s) => $"""
        set -u
        {Alive}
        mgmt() {"{"}
        {Management(s.ManagementSocket, 1)}
        {"}"}
        i=0
        while [ $i -lt 75 ]; do
          {(s.RunMode == VpnRunMode.Daemon ? $"p=$(cat {PidFile(s)} 2>/dev/null || true); if [ -n \"$p\" ] && ! alive \"$p\"; then echo \"OpenVPN (pid $p) exited\" >&2; break; fi" : "")}
          if {(s.RunMode == VpnRunMode.Systemd ? $"systemctl is-active --quiet -- {Quote(s.ServiceName)}" : $"p=$(cat {PidFile(s)} 2>/dev/null) && alive \"$p\"")}; then
            if printf 'state\n' | mgmt 2>/dev/null | grep -q '^END'; then echo "healthy: running, the management interface answers"; exit 0; fi
          fi
          sleep 0.2
          i=$((i+1))
        done
        echo "not healthy (not running, or the management interface did not answer within 15 s). OpenVPN's last lines:" >&2
        {(s.RunMode == VpnRunMode.Systemd
            ? $"journalctl -u {Quote(s.ServiceName)} -n 12 --no-pager -o cat >&2"
            : $"grep -v 'MANAGEMENT:' {Quote(LogFile(s))} | tail -n 12 | sed -E 's/^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}} [0-9:]{{8}} //' >&2")}
        exit 1
        """;

    /// <summary>The deployed files: public ones in base64, secret ones only as their SHA-256.</summary>
    public static string Fetch(VpnServer s) => $"""
        d={Quote(s.ConfigDir)}
        for f in server.conf ca.pem server.crt crl.pem; do
          if [ -f "$d/$f" ]; then printf 'FILE %s ' "$f"; base64 -w0 < "$d/$f"; printf '\n'; else printf 'MISSING %s\n' "$f"; fi
        done
        for f in "$d"/ccd/*; do
          [ -f "$f" ] || continue
          printf 'FILE ccd/%s ' "$(basename -- "$f")"; base64 -w0 < "$f"; printf '\n'
        done
        for f in server.key tls-crypt.key; do
          if [ -f "$d/$f" ]; then printf 'HASH %s %s\n' "$f" "$(sha256sum < "$d/$f" | cut -d' ' -f1)"; else printf 'MISSING %s\n' "$f"; fi
        done
        """;
}
