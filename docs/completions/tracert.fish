complete -c tracert -s p -l port -d 'Destination port: the first of the growing UDP ports, or the fixed UDP/TCP port' -r
complete -c tracert -s f -l first -d 'Start from this TTL [default: 1]' -r
complete -c tracert -s m -l max-hops -d 'The largest TTL [default: 30]' -r
complete -c tracert -s q -l queries -d 'Probes per hop (default 3; 1 per round with --report)' -r
complete -c tracert -s N -l sim-queries -d 'Probes in flight at once [default: 16]' -r
complete -c tracert -s w -l wait -d 'traceroute\'s wait MAX[,HERE[,NEAR]] (default 5.0,3,10), or a capture FILE to write every probe and answer to (may be given twice)' -r
complete -c tracert -l pcap -d 'Write every probe and answer to FILE as pcap' -r -F
complete -c tracert -s z -l sendwait -d 'Least time between probes: seconds, or milliseconds above 10' -r
complete -c tracert -l sport -d 'Source port of UDP and TCP probes, or the ICMP identifier (the first flow\'s; default: from the process id, above the kernel\'s local port range)' -r
complete -c tracert -s s -l source -d 'Source address of the probes' -r
complete -c tracert -s i -l interface -d 'Send through this interface' -r
complete -c tracert -l flow -d 'Which fields vary between probes [default: classic]' -r -f -a "classic\t'The port or sequence changes per probe (traceroute)'
paris\t'The fields load balancers hash stay constant (Paris traceroute)'
dublin\t'UDP with the id in the IPv4 identification (Dublin traceroute)'"
complete -c tracert -l flows -d 'Trace N Paris flows (source ports) and show every address seen per hop' -r
complete -c tracert -s c -l report-cycles -d 'Rounds for --report (and --json with -c) [default: 10]' -r
complete -c tracert -l interval -d 'Seconds between rounds [default: 1]' -r
complete -c tracert -s I -l icmp -d 'ICMP echo probes'
complete -c tracert -s T -l tcp -d 'TCP SYN probes (port 80 unless -p)'
complete -c tracert -s U -l udp -d 'UDP probes to one fixed port (53 unless -p), as traceroute -U'
complete -c tracert -s 4 -d 'Use IPv4'
complete -c tracert -s 6 -d 'Use IPv6'
complete -c tracert -s n -d 'Print addresses only, no names'
complete -c tracert -s A -l as-lookup -d 'Look up each hop\'s AS number (origin TXT records of origin.asn.cymru.com\'s form, through the name servers of /etc/resolv.conf, at most 2 s per address)'
complete -c tracert -s e -l extensions -d 'Show ICMP extensions (RFC 4884: MPLS labels, interface information)'
complete -c tracert -l mtu -d 'Discover the path MTU: probes start at the interface\'s MTU with don\'t-fragment set, shrink where a router says so, and the hop where the size changed shows F=SIZE (implies -N 1, as traceroute\'s --mtu)'
complete -c tracert -l nat -d 'Flag hops whose answers show the probe rewritten by a NAT (`!NAT`)'
complete -c tracert -s r -l report -d 'mtr\'s report: run the rounds, then print Loss%, Snt, Last, Avg, Best, Wrst, StDev, Jttr'
complete -c tracert -l json -d 'NDJSON: one record per hop as it is settled, then a summary (each record carries its schema version)'
complete -c tracert -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tracert -s V -l version -d 'Print version'
