_pkt__decode() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="pkt__decode"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        pkt__decode)
            opts="-r -F -c -w -Y -T -E -e -v -x -X -A -# -t -q -S -n -l -U -h -V --json --raw --fields --parquet --header --display-filter --tshark-field --defrag --nano --absolute-tcp-sequence-numbers --packet-buffered --help --version"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                -r)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -F)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -c)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --fields)
                    local prefix=""
                    [[ "${cur}" == *,* ]] && prefix="${cur%,*},"
                    COMPREPLY=($(compgen -P "${prefix}" -W "list frame.number frame.time_epoch frame.time_relative frame.time_delta frame.time_delta_displayed frame.len frame.cap_len frame.interface_id frame.protocols eth.src eth.dst eth.type vlan.id sll.pkttype ip.src ip.dst ip.proto ip.ttl ip.id ip.flags.mf ip.flags.df ip.frag_offset ip.len ipv6.src ipv6.dst ipv6.nxt ipv6.hlim tcp.srcport tcp.dstport tcp.flags tcp.seq_raw tcp.ack_raw tcp.len tcp.window_size_value tcp.stream tcp.flags.str udp.srcport udp.dstport udp.length udp.stream icmp.type icmp.code icmp.checksum icmp.checksum.status icmp.ident icmp.seq icmp.ident_le icmp.seq_le icmp.mtu icmp.redir_gw icmp.originate_timestamp icmp.receive_timestamp icmp.transmit_timestamp icmp.address_mask icmp.resp_to icmp.resptime icmp.data_time icmp.data_time_relative icmpv6.type icmpv6.code icmpv6.resp_to icmpv6.resptime arp.hw.type arp.proto.type arp.hw.size arp.proto.size arp.opcode arp.src.proto_ipv4 arp.dst.proto_ipv4 arp.src.hw_mac arp.dst.hw_mac arp.isgratuitous arp.isprobe tcp.flags.res tcp.flags.fin tcp.flags.syn tcp.flags.reset tcp.flags.push tcp.flags.ack tcp.flags.urg tcp.flags.ece tcp.flags.cwr tcp.flags.ae dns.id dns.flags dns.flags.response dns.flags.opcode dns.flags.authoritative dns.flags.conflict dns.flags.truncated dns.flags.recdesired dns.flags.tentative dns.flags.recavail dns.flags.z dns.flags.authenticated dns.flags.checkdisable dns.flags.rcode dns.count.queries dns.count.answers dns.count.auth_rr dns.count.add_rr dns.qry.name dns.qry.type dns.qry.class dns.qry.qu dns.qry.name.len dns.count.labels dns.resp.name dns.resp.type dns.resp.class dns.resp.cache_flush dns.resp.ttl dns.resp.len dns.resp.ext_rcode dns.resp.edns0_version dns.resp.z dns.resp.z.do dns.a dns.aaaa dns.cname tls.record.content_type tls.handshake.type tls.handshake.extensions_server_name http.request.method http.request.uri http.host http.user_agent http.response.code dhcp.option.dhcp dhcp.hw.mac_addr dhcp.option.requested_ip_address dhcp.option.hostname llc.dsap llc.ssap llc.control llc.oui llc.type stp.protocol stp.version stp.type stp.flags stp.flags.tc stp.flags.proposal stp.flags.port_role stp.flags.learning stp.flags.forwarding stp.flags.agreement stp.flags.tcack stp.root.prio stp.root.ext stp.root.hw stp.root.cost stp.bridge.prio stp.bridge.ext stp.bridge.hw stp.port stp.msg_age stp.max_age stp.hello stp.forward stp.version_1_length mstp.version_3_length cdp.version cdp.ttl cdp.checksum slarp.ptype slarp.address slarp.netmask slarp.mysequence slarp.yoursequence slarp.reliability vrrp.version vrrp.type vrrp.virt_rtr_id vrrp.prio vrrp.addr_count vrrp.auth_type vrrp.adver_int vrrp.short_adver_int vrrp.checksum vrrp.ip_addr vrrp.ipv6_addr ospf.version ospf.msg ospf.packet_length ospf.srcrouter ospf.area_id ospf.checksum ospf.auth.type ospf.instance_id" -- "${cur##*,}"))
                    compopt -o nospace 2>/dev/null
                    return 0
                    ;;
                --parquet)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -w)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --display-filter)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -Y)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -T)
                    COMPREPLY=($(compgen -W "fields" -- "${cur}"))
                    return 0
                    ;;
                --tshark-field)
                    COMPREPLY=($(compgen -W "frame.number frame.time_epoch frame.time_relative frame.time_delta frame.time_delta_displayed frame.len frame.cap_len frame.interface_id frame.protocols eth.src eth.dst eth.type vlan.id sll.pkttype ip.src ip.dst ip.proto ip.ttl ip.id ip.flags.mf ip.flags.df ip.frag_offset ip.len ipv6.src ipv6.dst ipv6.nxt ipv6.hlim tcp.srcport tcp.dstport tcp.flags tcp.seq_raw tcp.ack_raw tcp.len tcp.window_size_value tcp.stream tcp.flags.str udp.srcport udp.dstport udp.length udp.stream icmp.type icmp.code icmp.checksum icmp.checksum.status icmp.ident icmp.seq icmp.ident_le icmp.seq_le icmp.mtu icmp.redir_gw icmp.originate_timestamp icmp.receive_timestamp icmp.transmit_timestamp icmp.address_mask icmp.resp_to icmp.resptime icmp.data_time icmp.data_time_relative icmpv6.type icmpv6.code icmpv6.resp_to icmpv6.resptime arp.hw.type arp.proto.type arp.hw.size arp.proto.size arp.opcode arp.src.proto_ipv4 arp.dst.proto_ipv4 arp.src.hw_mac arp.dst.hw_mac arp.isgratuitous arp.isprobe tcp.flags.res tcp.flags.fin tcp.flags.syn tcp.flags.reset tcp.flags.push tcp.flags.ack tcp.flags.urg tcp.flags.ece tcp.flags.cwr tcp.flags.ae dns.id dns.flags dns.flags.response dns.flags.opcode dns.flags.authoritative dns.flags.conflict dns.flags.truncated dns.flags.recdesired dns.flags.tentative dns.flags.recavail dns.flags.z dns.flags.authenticated dns.flags.checkdisable dns.flags.rcode dns.count.queries dns.count.answers dns.count.auth_rr dns.count.add_rr dns.qry.name dns.qry.type dns.qry.class dns.qry.qu dns.qry.name.len dns.count.labels dns.resp.name dns.resp.type dns.resp.class dns.resp.cache_flush dns.resp.ttl dns.resp.len dns.resp.ext_rcode dns.resp.edns0_version dns.resp.z dns.resp.z.do dns.a dns.aaaa dns.cname tls.record.content_type tls.handshake.type tls.handshake.extensions_server_name http.request.method http.request.uri http.host http.user_agent http.response.code dhcp.option.dhcp dhcp.hw.mac_addr dhcp.option.requested_ip_address dhcp.option.hostname llc.dsap llc.ssap llc.control llc.oui llc.type stp.protocol stp.version stp.type stp.flags stp.flags.tc stp.flags.proposal stp.flags.port_role stp.flags.learning stp.flags.forwarding stp.flags.agreement stp.flags.tcack stp.root.prio stp.root.ext stp.root.hw stp.root.cost stp.bridge.prio stp.bridge.ext stp.bridge.hw stp.port stp.msg_age stp.max_age stp.hello stp.forward stp.version_1_length mstp.version_3_length cdp.version cdp.ttl cdp.checksum slarp.ptype slarp.address slarp.netmask slarp.mysequence slarp.yoursequence slarp.reliability vrrp.version vrrp.type vrrp.virt_rtr_id vrrp.prio vrrp.addr_count vrrp.auth_type vrrp.adver_int vrrp.short_adver_int vrrp.checksum vrrp.ip_addr vrrp.ipv6_addr ospf.version ospf.msg ospf.packet_length ospf.srcrouter ospf.area_id ospf.checksum ospf.auth.type ospf.instance_id" -- "${cur}"))
                    return 0
                    ;;
                -E)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _pkt__decode -o nosort -o bashdefault -o default pkt-decode
else
    complete -F _pkt__decode -o bashdefault -o default pkt-decode
fi
