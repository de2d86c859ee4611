complete -c pcap-capture -s i -l interface -d 'Interface to capture on (\'any\': every interface, Linux cooked headers; a number: the Nth of -D); libpcap\'s default interface when omitted' -r
complete -c pcap-capture -s c -d 'Stop after N packets' -r
complete -c pcap-capture -s s -l snapshot-length -d 'Bytes kept of each packet (0: 262144, the default)' -r
complete -c pcap-capture -s B -l buffer-size -d 'Kernel ring buffer size in KiB (libpcap\'s default: 2048)' -r
complete -c pcap-capture -s w -d 'Write to FILE (\'-\' or none: stdout)' -r -F
complete -c pcap-capture -s G -d 'Start a new file every SECONDS (with the first packet captured after); FILE may hold strftime(3) conversions, expanded in local time, as tcpdump does' -r
complete -c pcap-capture -s C -d 'Start a new file once the current one is larger than SIZE: millions of bytes as in tcpdump, or with a suffix k, m, g for KiB, MiB, GiB. Files: FILE, FILE1, FILE2, ...' -r
complete -c pcap-capture -s W -d 'With -C: keep a ring of N files (FILE0 .. FILE<N-1>, zero-padded). With -G alone: stop after N files' -r
complete -c pcap-capture -l duration -d 'Stop after SECONDS (decimals allowed)' -r
complete -c pcap-capture -s Z -l relinquish-privileges -d 'After opening the capture, before opening any output file, drop root for USER (and its groups), as tcpdump -Z does' -r
complete -c pcap-capture -s y -l linktype -d 'Link type to capture with, by libpcap name or number (e.g. LINUX_SLL2 with -i any)' -r
complete -c pcap-capture -s D -l list-interfaces -d 'List the interfaces (with flags and addresses) and exit'
complete -c pcap-capture -s p -l no-promiscuous-mode -d 'Do not put the interface in promiscuous mode'
complete -c pcap-capture -l immediate -l immediate-mode -d 'Deliver each packet at once (lower latency, more CPU) instead of in ring blocks'
complete -c pcap-capture -l pcapng -d 'Write pcapng instead of classic pcap'
complete -c pcap-capture -l nano -d 'Nanosecond timestamps (pcap\'s nanosecond format)'
complete -c pcap-capture -s U -l packet-buffered -d 'Flush output after every packet read (tcpdump -U); output is flushed whenever the capture is idle anyway'
complete -c pcap-capture -s h -l help -d 'Print help'
complete -c pcap-capture -s V -l version -d 'Print version'
