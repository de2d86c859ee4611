complete -c synscan -s p -d 'Ports to scan (nmap\'s syntax: 22-1024, 22,80,443, - for 1-65535)' -r
complete -c synscan -l top-ports -d 'Scan the N most often open TCP ports (1-1000)' -r
complete -c synscan -l exclude-ports -d 'Ports not to scan' -r
complete -c synscan -l input-list -l iL -d 'Read targets from FILE (\'-\': stdin), white-space separated, # comments (nmap\'s -iL)' -r -F
complete -c synscan -l exclude -d 'Targets not to scan (comma-separated specifications)' -r
complete -c synscan -l excludefile -d 'Read targets not to scan from FILE' -r -F
complete -c synscan -l rate -d 'Send PPS probes per second (default 10000)' -r
complete -c synscan -l max-rate -d 'Never send more than PPS probes per second' -r
complete -c synscan -l min-rate -d 'Send at least PPS probes per second' -r
complete -c synscan -l retries -l max-retries -d 'Resend up to N times to ports that have not answered' -r
complete -c synscan -l wait -d 'Seconds to wait for answers after the last probe (default: adaptive, from the measured round-trip time)' -r
complete -c synscan -l seed -d 'Key of the probe order and cookies (random by default; give it for --shard)' -r
complete -c synscan -l shard -d 'Scan part K of N (1 <= K <= N) of the probe order; needs --seed' -r
complete -c synscan -s g -l source-port -d 'Send from this TCP source port (default: ports outside the ephemeral range, chosen per probe by its cookie)' -r
complete -c synscan -s S -d 'Source address of the probes (default: the kernel\'s choice for each target)' -r
complete -c synscan -s e -d 'Interface to capture answers on (default: the route\'s interface)' -r
complete -c synscan -l output-grepable -l oG -d 'Write nmap\'s greppable form to FILE (\'-\': stdout) (nmap\'s -oG)' -r -F
complete -c synscan -l output-xml -l oX -d 'Write nmap\'s XML form to FILE (\'-\': stdout) (nmap\'s -oX)' -r -F
complete -c synscan -s w -d 'Write every probe and every answer to FILE as pcap (raw IP)' -r -F
complete -c synscan -s n -d 'Never resolve addresses to names (synscan never does; accepted for nmap\'s habit)'
complete -c synscan -s 6 -d 'Resolve host names to IPv6 addresses (nmap\'s -6); address literals need no flag'
complete -c synscan -l closed -d 'Also show closed ports'
complete -c synscan -l filtered -d 'Also show filtered ports'
complete -c synscan -l all -d 'Show every port (closed and filtered too)'
complete -c synscan -l open -d 'Only open ports are shown (the default; nmap\'s --open)'
complete -c synscan -l reason -d 'Reasons are always shown (accepted for nmap\'s --reason)'
complete -c synscan -l json -d 'Write NDJSON to stdout: one record per port as it settles, then a summary (schema pktkit.synscan/1)'
complete -c synscan -s q -l quiet -d 'No summary line on stderr'
complete -c synscan -s h -l help -d 'Print help'
complete -c synscan -s V -l version -d 'Print version'
