complete -c pcap-filter -s Y -l display-filter -d 'Wireshark display filter (tshark -Y), e.g. \'http.request.method == "GET"\'; with a BPF expression both must match' -r
complete -c pcap-filter -s f -d 'With -Y: a libpcap filter expression as well (tshark\'s -f)' -r
complete -c pcap-filter -s r -d 'Read this capture file (tcpdump -r; may be repeated): the words are then the expression' -r -F
complete -c pcap-filter -s F -d 'Read the expression from FILE (tcpdump -F); the words are then input files' -r -F
complete -c pcap-filter -s c -d 'Stop after N kept packets' -r
complete -c pcap-filter -s w -d 'Write to FILE instead of stdout (\'-\' is stdout)' -r -F
complete -c pcap-filter -l netmask -d 'IPv4 netmask for \'ip broadcast\' (dotted quad); unknown by default, as with tcpdump -r' -r
complete -c pcap-filter -s n -d 'Accepted for tcpdump habits (-n, -nn); expressions never need names resolved'
complete -c pcap-filter -s v -l invert-match -d 'Keep the packets that do NOT match (like grep -v)'
complete -c pcap-filter -l count -d 'Print only the number of kept packets'
complete -c pcap-filter -l pcapng -d 'Write pcapng (keeps every interface and link type) instead of classic pcap'
complete -c pcap-filter -s U -l packet-buffered -d 'Write each kept packet out at once (tcpdump -U); without it, output is written when the input has nothing more ready'
complete -c pcap-filter -s h -l help -d 'Print help'
complete -c pcap-filter -s V -l version -d 'Print version'
