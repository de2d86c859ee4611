complete -c pkt-stats -s r -d 'Read this capture file (tcpdump -r; may be repeated): the words are then the filter expression' -r -F
complete -c pkt-stats -s F -d 'Read the filter expression from FILE (tcpdump -F); the words are then input files' -r -F
complete -c pkt-stats -l plot -d 'Draw the I/O graph and the protocol mix to FILE (.svg or .png) as well' -r -F
complete -c pkt-stats -l top -d 'Rows per table: 10 by default for tables, all for --json (0: all)' -r
complete -c pkt-stats -l interval -d 'I/O report: frames and bytes per interval (e.g. 1s, 100ms, 5m), aligned to the epoch' -r
complete -c pkt-stats -l every -d 'Live: refresh a top-like table every DURATION on a terminal, or write one NDJSON snapshot per DURATION when stdout is not one; the full report at the end' -r
complete -c pkt-stats -l me -d 'Your own address or network (repeatable): adds in/out traffic and per-peer counts' -r
complete -c pkt-stats -l max-hosts -d 'Most hosts kept (and --me peers)' -r
complete -c pkt-stats -l max-conversations -d 'Most conversations kept per table (IP, TCP, UDP)' -r
complete -c pkt-stats -l max-names -d 'Most names kept per table (DNS, TLS SNI, HTTP hosts)' -r
complete -c pkt-stats -l max-intervals -d 'Most intervals kept (the earliest)' -r
complete -c pkt-stats -s n -d 'Accepted for tcpdump habits (-n, -nn); names in reports come from the traffic itself'
complete -c pkt-stats -l json -d 'Write one JSON document (schema pktkit.stats/3) instead of tables'
complete -c pkt-stats -l merge -d 'Combine JSON reports of parts of a capture into the report of the whole (FILEs hold one or more reports each; \'-\' is stdin)'
complete -c pkt-stats -l exact -d 'Tables with plain integers (no thousands separators, units or bars), for scripts that read the text; --json is better still'
complete -c pkt-stats -l summary -d 'Report: capture summary (capinfos)'
complete -c pkt-stats -l protocols -d 'Report: frames and bytes per transport (TCP, UDP, ICMP, other)'
complete -c pkt-stats -l hierarchy -d 'Report: protocol hierarchy (tshark -z io,phs)'
complete -c pkt-stats -l hosts -d 'Report: hosts by bytes sent and received (and --me directions)'
complete -c pkt-stats -l conversations -d 'Report: conversations per address pair and per TCP/UDP endpoint pair'
complete -c pkt-stats -l ports -d 'Report: service ports'
complete -c pkt-stats -l names -d 'Report: DNS names, TLS server names, HTTP hosts'
complete -c pkt-stats -l io -d 'Report: I/O per --interval (1s when --interval is not given)'
complete -c pkt-stats -l no-defrag -d 'Do not reassemble IP fragments (tshark reassembles by default)'
complete -c pkt-stats -s h -l help -d 'Print help'
complete -c pkt-stats -s V -l version -d 'Print version'
