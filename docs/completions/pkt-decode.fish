complete -c pkt-decode -s r -d 'Read this file (tcpdump -r; may be repeated): the words are then the filter expression' -r -F
complete -c pkt-decode -s F -d 'Read the filter expression from FILE (tcpdump -F); the words are then input files' -r -F
complete -c pkt-decode -s c -d 'Stop after N packets' -r
complete -c pkt-decode -l fields -d 'Tab-separated Wireshark fields, e.g. frame.number,ip.src,tcp.dstport (\'list\' lists them)' -r
complete -c pkt-decode -l parquet -d 'With --fields (or -T fields -e F): write the rows to FILE as Parquet, one typed column per field named for SQL (ip.src is ip_src), \'-\' for stdout' -r -F
complete -c pkt-decode -s w -d 'Write the --fields rows to FILE.parquet (as --parquet; pkt-decode writes no pcap: pcap-filter -w does)' -r -F
complete -c pkt-decode -s Y -l display-filter -d 'Print only the packets that match this Wireshark display filter (tshark -Y), in every output mode, e.g. \'http.request\' or \'tcp.port in {80 443} && ip.addr == 10.0.0.0/8\'' -r
complete -c pkt-decode -s T -d 'tshark\'s output format: only \'fields\' (with -e FIELD, which then names a field, not tcpdump\'s -e)' -r -f -a "fields\t''"
complete -c pkt-decode -l tshark-field -d 'With -T fields: a field to print (tshark -e; given on the command line as -e FIELD)' -r
complete -c pkt-decode -s E -d 'With -T fields: tshark\'s -E options header=y|n, separator=C (t, s or a character), occurrence=f|l|a, aggregator=C' -r
complete -c pkt-decode -l json -d 'One JSON object per packet (NDJSON), schema pktkit.decode/2.1'
complete -c pkt-decode -l raw -d 'With --json: add the frame bytes as hex, link type and raw timestamps'
complete -c pkt-decode -l header -d 'With --fields: print the field names as a first row'
complete -c pkt-decode -l defrag -d 'Reassemble IPv4/IPv6 fragments (bounded pool: 1024 datagrams, 16 MiB, 30 s)'
complete -c pkt-decode -s e -d 'Print the link-layer header (tcpdump -e)'
complete -c pkt-decode -s v -d 'More detail (tcpdump -v, -vv)'
complete -c pkt-decode -s x -d 'Hex dump after each line; -xx includes the link header (tcpdump -x)'
complete -c pkt-decode -s X -d 'Hex and ASCII dump; -XX includes the link header (tcpdump -X)'
complete -c pkt-decode -s A -d 'ASCII dump; -AA includes the link header (tcpdump -A)'
complete -c pkt-decode -s '#' -d 'Number the packets (tcpdump -#)'
complete -c pkt-decode -s t -d 'Timestamps: -t none, -tt epoch, -ttt delta, -tttt date, -ttttt since first (tcpdump)'
complete -c pkt-decode -l nano -d 'Print nanosecond fractions (tcpdump --nano)'
complete -c pkt-decode -s q -d 'Quiet: shorter lines, TCP as \'tcp N\' and UDP as \'UDP, length N\' (tcpdump -q)'
complete -c pkt-decode -s S -l absolute-tcp-sequence-numbers -d 'Absolute TCP sequence numbers, not relative to the first seen (tcpdump -S)'
complete -c pkt-decode -s n -d 'Accepted for tcpdump habits; pkt-decode never resolves names'
complete -c pkt-decode -s l -d 'Line-buffered output: write each line at once (tcpdump -l)'
complete -c pkt-decode -s U -l packet-buffered -d 'Packet-buffered output: write each packet\'s output at once (tcpdump -U)'
complete -c pkt-decode -s h -l help -d 'Print help'
complete -c pkt-decode -s V -l version -d 'Print version'
