# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_netmon_global_optspecs
    string join \n h/help V/version
end

function __fish_netmon_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_netmon_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_netmon_using_subcommand
    set -l cmd (__fish_netmon_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c netmon -n "__fish_netmon_needs_command" -s h -l help -d 'Print help'
complete -c netmon -n "__fish_netmon_needs_command" -s V -l version -d 'Print version'
complete -c netmon -n "__fish_netmon_needs_command" -f -a "connections" -d 'Every socket with its process, user, queues and TCP counters (psutil\'s net_connections)'
complete -c netmon -n "__fish_netmon_needs_command" -f -a "interfaces" -d 'Bytes, packets, errors and drops per interface, or their rates (--every)'
complete -c netmon -n "__fish_netmon_needs_command" -f -a "top" -d 'Live view: interface rates, per-connection and per-process TCP rates'
complete -c netmon -n "__fish_netmon_using_subcommand connections" -l kind -d 'Which sockets, as psutil\'s kind: tcp, tcp4, tcp6, udp, udp4, udp6, inet, inet4, inet6, unix, all' -r
complete -c netmon -n "__fish_netmon_using_subcommand connections" -l state -d 'Only these states (comma-separated, psutil\'s or ss\'s names: established, listen, time_wait, syn-sent, ...; \'none\' for UDP and Unix sockets). TCP states are filtered in the kernel' -r
complete -c netmon -n "__fish_netmon_using_subcommand connections" -l port -d 'Only sockets with this local or remote port (repeatable)' -r
complete -c netmon -n "__fish_netmon_using_subcommand connections" -l pid -d 'Only sockets held by this process (repeatable)' -r
complete -c netmon -n "__fish_netmon_using_subcommand connections" -l user -d 'Only sockets owned by this user (name or uid; repeatable)' -r
complete -c netmon -n "__fish_netmon_using_subcommand connections" -l fields -d 'Columns (text) or keys (JSON) to show, comma-separated; an unknown name gets the list of known ones' -r
complete -c netmon -n "__fish_netmon_using_subcommand connections" -l json -d 'One JSON object per socket (NDJSON, schema pktkit.netmon.connection/1)'
complete -c netmon -n "__fish_netmon_using_subcommand connections" -l no-header -d 'Leave out the header line of the table'
complete -c netmon -n "__fish_netmon_using_subcommand connections" -s h -l help -d 'Print help'
complete -c netmon -n "__fish_netmon_using_subcommand interfaces" -l every -d 'Print rates every DURATION (1s, 500ms, 2m) instead of the counters once' -r
complete -c netmon -n "__fish_netmon_using_subcommand interfaces" -s c -l count -d 'With --every: stop after N intervals' -r
complete -c netmon -n "__fish_netmon_using_subcommand interfaces" -s i -l interface -d 'Only this interface (repeatable)' -r
complete -c netmon -n "__fish_netmon_using_subcommand interfaces" -l fields -d 'Columns (text) or keys (JSON), comma-separated: name and psutil\'s counter names' -r
complete -c netmon -n "__fish_netmon_using_subcommand interfaces" -l json -d 'One JSON object per interface (NDJSON, schema pktkit.netmon.interface/1)'
complete -c netmon -n "__fish_netmon_using_subcommand interfaces" -s h -l help -d 'Print help'
complete -c netmon -n "__fish_netmon_using_subcommand top" -l every -d 'Refresh interval' -r
complete -c netmon -n "__fish_netmon_using_subcommand top" -s c -l count -d 'Stop after N refreshes' -r
complete -c netmon -n "__fish_netmon_using_subcommand top" -s n -l top -d 'Rows per table in snapshots (0: all); the terminal view fits the screen' -r
complete -c netmon -n "__fish_netmon_using_subcommand top" -l json -d 'Write NDJSON snapshots (schema pktkit.netmon.top/1) even on a terminal; they are the default when stdout is not a terminal'
complete -c netmon -n "__fish_netmon_using_subcommand top" -l all -d 'List every connection in snapshots, also those that moved no byte in the interval'
complete -c netmon -n "__fish_netmon_using_subcommand top" -l no-capture -d 'Do not capture, even with CAP_NET_RAW: TCP rates from the socket counters only (by default a privileged top also captures on every interface for UDP and per-host rates)'
complete -c netmon -n "__fish_netmon_using_subcommand top" -s h -l help -d 'Print help'
