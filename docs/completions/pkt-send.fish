complete -c pkt-send -s i -l iface -d 'Send frames on IFACE (layer 2); an IP spec gets an Ethernet header. Required by --replay' -r
complete -c pkt-send -s c -l count -d 'Send the spec\'s packets N times (0: until interrupted)' -r
complete -c pkt-send -l interval -d 'Wait SECS between packets (Scapy\'s inter=)' -r
complete -c pkt-send -l rate -d 'Send PPS packets per second' -r
complete -c pkt-send -s w -d 'Write the packets to FILE as pcap instead of sending them (\'-\': stdout). No privileges needed' -r -F
complete -c pkt-send -l list -d 'List the fields of LAYER, as Scapy\'s ls(LAYER); without LAYER, the layers' -r
complete -c pkt-send -l timeout -d 'With --sr1: seconds to wait for the answer after the last packet' -r
complete -c pkt-send -l pps -d 'Replay at N packets per second' -r
complete -c pkt-send -l mbps -d 'Replay at N megabits per second (frame bytes)' -r
complete -c pkt-send -l multiplier -d 'Replay at the captured timing sped up X times' -r
complete -c pkt-send -l loop -d 'Replay the input N times' -r
complete -c pkt-send -l pcapng -d 'With -w: write pcapng instead of classic pcap'
complete -c pkt-send -l show -d 'Print the packets instead of sending them, as Scapy\'s show2(): one block per layer, every field with its value, computed lengths and checksums included'
complete -c pkt-send -l oneline -d 'With --show: one tcpdump line per packet (pkt-decode\'s text) instead of Scapy\'s blocks'
complete -c pkt-send -s X -l hexdump -d 'With --show: the bytes as Scapy\'s hexdump()'
complete -c pkt-send -l json -d 'JSON output: packets (--show), the answer (--sr1) or the replay report (--replay)'
complete -c pkt-send -l raw -d 'With --json: add the packet bytes and what --from-json needs to write them back'
complete -c pkt-send -l sr1 -l wait -d 'Send, then wait for the first packet that answers (Scapy\'s sr1); print it. Exit 1 if none'
complete -c pkt-send -l replay -d 'Replay capture files (stdin by default) on -i IFACE, at their captured timing by default'
complete -c pkt-send -l topspeed -d 'Replay as fast as possible'
complete -c pkt-send -l from-json -d 'Read pkt-decode\'s `--json --raw` records (files or stdin) and send, write (-w) or show the packets they describe; edited fields are written in, checksums updated'
complete -c pkt-send -s q -l quiet -d 'No status lines on stderr'
complete -c pkt-send -s h -l help -d 'Print help'
complete -c pkt-send -s V -l version -d 'Print version'
