#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark, run inside ONE QEMU guest boot by bench/run.sh
# (tests/integration/vm/run.sh).  Every measurement is printed on the serial
# console as one line
#     BENCH <block> <workload> <config> <round> <key=value>...
# and bench/analyze.py turns them into the report.  Inputs (read-only, from
# the host over 9p): $BB/bin/{loadgen,egressk.ko,egresskctl}, $BB/rules/ and
# $BB/hello/ (the recorded ClientHellos the SNI workload sends).
#
#   guest-bench.sh MODE BUILDDIR [ROUNDS|-] [BLOCKS]
# ROUNDS overrides the mode's round count; BLOCKS (comma-separated, from
# M,S,P,L,R,O,T,D) runs only those blocks, e.g. "T" for the SNI workload alone.
# D adds the DNS-binding configurations to block T's rate loop (interleaved
# with T's in the same rounds); "D" alone runs that loop without T's
# flow-table occupancy part.
#
# Topology (documentation addresses only, on veths inside the guest):
#
#   client netns cK (one per configuration)          srv netns
#     vK 198.51.100.(4K+1)/30  <------------------->  wK 198.51.100.(4K+2)/30
#     default via 198.51.100.(4K+2)                   lo 198.51.100.200/32  (the server:
#                                                     loadgen serve :8080 and :443,
#                                                     iperf3 :5201)
#   block D: dnsmasq in srv on lo 192.0.2.53/32 (the pinned resolver),
#   answering the SNI names with 198.51.100.200, TTL 3600.
#   scale-out namespaces sN: 2001:db8:100::N/64 on veths bridged in srv
#   (br0 2001:db8:100::1/64).  The miss address 203.0.113.1 is in no rule set.
set -u
MODE=${1:-quick}
BB=${2:?usage: guest-bench.sh MODE BUILDDIR [ROUNDS|-] [BLOCKS]}
ROUNDS_ARG=${3:--} ONLY=${4:-}
LG=$BB/bin/loadgen KO=$BB/bin/egressk.ko CTL=$BB/bin/egresskctl R=$BB/rules
SRV4=198.51.100.200 SRV6=2001:db8:100::1 MISS4=203.0.113.1 PORT=8080 TLSPORT=443 RESOLVER4=192.0.2.53

if [ "$MODE" = full ]; then
	ROUNDS=${BENCH_ROUNDS:-15} DCONN=1 DMISS=0.5 DUDP=0.5 DIPERF=1 DTLS=2 FINCHUNKS=9
	SCALES="10 1000 10000 100000" MIX=10000 LOADN=100000 LOADREPS=3
	SO_STEPS="10 100 1000" SO_ROUNDS=3 REPL_ROUNDS=5
else
	ROUNDS=${BENCH_ROUNDS:-5} DCONN=1 DMISS=0.5 DUDP=0.5 DIPERF=1 DTLS=2 FINCHUNKS=6
	SCALES="10 1000 10000" MIX=10000 LOADN=10000 LOADREPS=2
	SO_STEPS="10 50" SO_ROUNDS=3 REPL_ROUNDS=3
fi
[ "$ROUNDS_ARG" != - ] && ROUNDS=$ROUNDS_ARG
# want BLOCK: is BLOCK part of this run?
want() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
RANDOM=20261124		# the interleaving order is reproducible
# Client and server share one vCPU: under TCG (and on a loaded host) a wakeup
# across vCPUs costs milliseconds, which would measure the host's scheduler
# rather than the cost of the filter.  CPU 0 keeps the housekeeping.
PIN=(); [ "$(nproc)" -ge 2 ] && PIN=(taskset -c 1)

emit() { echo "BENCH $*"; }
log() { echo "bench: $(date +%T) $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
meminfo() {	# Slab+VmallocUsed+Percpu in kB, one number each
	awk '/^Slab:/{s=$2} /^VmallocUsed:/{v=$2} /^Percpu:/{p=$2} END{print s, v, p}' /proc/meminfo
}
shuffle() { local a=("$@") i j t; for ((i=${#a[@]}-1; i>0; i--)); do j=$((RANDOM % (i+1))); t=${a[i]}; a[i]=${a[j]}; a[j]=$t; done; echo "${a[@]}"; }

cleanup() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	for n in $(ip netns list | awk '{print $1}'); do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
	done
	ip -all netns delete 2>/dev/null
}
trap cleanup EXIT

T0=$(now)
log "mode $MODE: $ROUNDS rounds, conn ${DCONN}s, scales $SCALES, kernel $(uname -r)"
emit meta - - - kernel=$(uname -r) mode=$MODE blocks=${ONLY:-all} pin=$(IFS=_; echo "${PIN[*]:-none}") rounds=$ROUNDS dconn=$DCONN dmiss=$DMISS dudp=$DUDP diperf=$DIPERF \
	cpus=$(nproc) mem_kb=$(awk '/MemTotal/{print $2}' /proc/meminfo) \
	cpu="$(awk -F': ' '/model name/{gsub(/ /,"~",$2); print $2; exit}' /proc/cpuinfo)" \
	iptables="$(iptables -V | tr ' ' '~')" nft="$(nft -v | tr ' ' '~')" ipset="$(ipset -v 2>&1 | head -1 | awk '{print $2}')"

for m in veth bridge nf_conntrack nf_tables nft_ct nft_reject_inet nf_reject_ipv4 nf_reject_ipv6 \
	ip_set ip_set_hash_net xt_set ipt_REJECT ip6t_REJECT nft_compat iptable_filter ip6table_filter; do
	modprobe "$m" 2>/dev/null || log "modprobe $m failed"
done
sysctl -qw net.core.somaxconn=4096

# ------------------------------------------------------------------ topology
ip netns add srv
ip -n srv link set lo up
ip -n srv addr add $SRV4/32 dev lo
ip -n srv link add br0 type bridge
ip -n srv addr add $SRV6/64 dev br0 nodad
ip -n srv link set br0 up
ip netns exec srv sysctl -qw net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096
ip netns exec srv "${PIN[@]}" "$LG" serve $PORT 7200 >/dev/null &
ip netns exec srv "${PIN[@]}" "$LG" serve $TLSPORT 7200 >/dev/null &
ip netns exec srv "${PIN[@]}" iperf3 -s -D -p 5201 >/dev/null 2>&1

NEXT_SLOT=0
# mkclient NAME: a client netns with its own veth to srv
mkclient() {
	local n=$1 k=$NEXT_SLOT
	NEXT_SLOT=$((k + 1))
	ip netns add "$n"
	ip link add "v$k" netns "$n" type veth peer name "w$k" netns srv
	ip -n "$n" link set lo up
	ip -n "$n" addr add 198.51.100.$((4 * k + 1))/30 dev "v$k"
	ip -n "$n" link set "v$k" up
	ip -n "$n" route add default via 198.51.100.$((4 * k + 2))
	ip -n srv addr add 198.51.100.$((4 * k + 2))/30 dev "w$k"
	ip -n srv link set "w$k" up
	ip netns exec "$n" sysctl -qw net.ipv4.ip_local_port_range="1024 65000"
}

# Wait until every client reaches the server (ARP, listener).
warm() { ip netns exec "$1" "$LG" conn $SRV4 $PORT 0.2 >/dev/null; }

module_load() {
	grep -q '^egressk ' /proc/modules && return 0
	local d
	for d in $(modinfo -F depends "$KO" | tr ',' ' '); do modprobe "$d"; done
	insmod "$KO"
}

# conn NS SECONDS [ADDR] -> the "ok=..." line
conn() { ip netns exec "$1" "${PIN[@]}" "$LG" conn "${3:-$SRV4}" $PORT "$2" 2>&1 | tail -1; }
kv() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }

# ------------------------------------------------------ block M: (a) vs (b)
# (a) egressk not loaded, (b) egressk loaded and the namespace unpoliced:
# the same client netns, rmmod/insmod between the two, order alternating.
if want M; then
log "block M: module unloaded (a) vs loaded, unpoliced (b)"
mkclient cm
warm cm
rmmod egressk 2>/dev/null
for ((r = 1; r <= ROUNDS; r++)); do
	for cfg in $( ((r % 2)) && echo "a b" || echo "b a"); do
		if [ $cfg = a ]; then rmmod egressk 2>/dev/null; else module_load; fi
		emit M conn $cfg $r $(conn cm $DCONN)
	done
done
fi
module_load || { log "insmod failed"; exit 1; }

# ------------------------------------------------------ configurations
# CONFIGS: name -> client netns set up with that filter
declare -A NSOF
mkconfig() {	# NAME KIND [RULESET]
	local name=$1 kind=$2 rs=${3:-} ns=c_$1 t
	mkclient "$ns"
	NSOF[$name]=$ns
	t=$(now)
	case $kind in
	a) ;;
	ap)	# one line: the chain's closing brace needs its ';' (without it nft
		# refuses the whole table and (a') is a second (a))
		ip netns exec "$ns" nft -f - <<-'NFT' || log "conntrack-only config failed"
		table inet ctonly { chain out { type filter hook output priority 0; policy accept; ct state new,established,related accept; }; }
		NFT
		ip netns exec "$ns" nft list table inet ctonly >/dev/null || log "conntrack-only table missing"
		;;
	c)	"$CTL" apply --netns-name "$ns" "$R/$rs.egressk" >/dev/null || log "apply $rs failed" ;;
	d)	ip netns exec "$ns" ipset restore <"$R/$rs.ipset" &&
		ip netns exec "$ns" iptables-restore <"$R/$rs.ipt-set" &&
		{ ! grep -q '^create a6' "$R/$rs.ipset" || ip netns exec "$ns" ip6tables-restore <"$R/$rs.ip6t-set"; } ||
		log "ipset config $rs failed" ;;
	e)	ip netns exec "$ns" nft -f "$R/$rs.nft" || log "nft config $rs failed" ;;
	f)	ip netns exec "$ns" iptables-restore <"$R/$rs.ipt-lin" || log "linear config $rs failed" ;;
	esac
	emit setup load $name - secs=$(since "$t") ruleset=${rs:-none}
	warm "$ns"
}

log "setting up configurations"
mkconfig a a
mkconfig ap ap
MAIN=(a ap)
# the CIDR configurations serve blocks S, P and R only
want S || want P || want R || SCALES= MIXCONF=0
for n in $SCALES; do
	for k in c d e; do mkconfig "$k$n" $k "rand-$n"; MAIN+=("$k$n"); done
	if [ "$n" -le 1000 ]; then mkconfig "f$n" f "rand-$n"; MAIN+=("f$n"); fi
done
[ "${MIXCONF:-1}" = 1 ] && for k in c d e; do mkconfig "${k}mix" $k "mix-$MIX"; MAIN+=("${k}mix"); done
emit meta - - - configs="${MAIN[*]}"

# The configuration of the per-packet workloads: 10k rules (1k for linear).
BIG=10000; [ "$MODE" = full ] || BIG=10000
PKT=(a ap c$BIG d$BIG e$BIG f1000)

# sanity: hits pass everywhere, misses are refused by every filter
for c in "${MAIN[@]}"; do
	emit check hit $c - $(conn "${NSOF[$c]}" 0.2)
	case $c in a|ap) ;; *) emit check miss $c - $(conn "${NSOF[$c]}" 0.2 $MISS4) ;; esac
done

# ------------------------------------------------------ block S: connections
want S && {
log "block S: connection rate, hits and misses, ${#MAIN[@]} configurations"
for ((r = 1; r <= ROUNDS; r++)); do
	for c in $(shuffle "${MAIN[@]}"); do
		emit S conn $c $r $(conn "${NSOF[$c]}" $DCONN)
		case $c in a|ap) ;; *) emit S miss $c $r $(conn "${NSOF[$c]}" $DMISS $MISS4) ;; esac
	done
	log "block S round $r done ($(since "$T0")s)"
done
}

# ------------------------------------------------------ block T: SNI-inspected connections
# Workload 1 with a TLS first payload: the client writes a recorded ClientHello
# (curl's, 517 B; Chromium's, 2,001 B: two segments on the wire) to :443, the server reads
# the whole record and answers 64 bytes; nobody speaks TLS.  Configurations:
# (a) and (a') as above; tcidr: egressk with the server allowed by CIDR (and
# 10 domain rules, which a CIDR-allowed flow never consults); tsniN: the
# server in no CIDR rule and the SNI allowed by one of N domain rules, so each
# flow's first payload is held, parsed and matched before it leaves
# (`domain-binding none`: SNI alone).
# Block D adds tdnsN: the same N domain rules under `domain-binding dns` with
# the resolver pinned (`allow dns 192.0.2.53`, dnsmasq in srv).  Before the
# timed part the client netns resolves both SNI names once with dig (the hook
# sees the query leave, learns 198.51.100.200 from the answer on the veth);
# then every connection pays the SYN check against the learned table and, on
# the ClientHello, the binding check of the matched rule against the learned
# names of the destination.  The block fails (no tdns figures, a D error
# line, exit 1) unless the address was learned.
if want T || want D; then
DOMS="10 10000"
TCONF=(a ap)
mkconfig tcidr c dom-10-cidr; TCONF+=(tcidr)
for n in $DOMS; do mkconfig "tsni$n" c "dom-$n"; TCONF+=("tsni$n"); done
flowstats() { "$CTL" stats --netns-name "$1" | awk '/^(flows_|dns_|learned_active)/ { printf "%s=%s ", $1, $2 }'; }
first() { ip netns exec "$1" "${PIN[@]}" "$LG" first $SRV4 $TLSPORT "$2" "$BB/hello/$3.bin" 2>&1 | tail -1; }
D_ERR=
if want D; then
	ip -n srv addr add $RESOLVER4/32 dev lo
	ip netns exec srv dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--user=root --group=root --pid-file=/tmp/bench-dnsmasq.pid --listen-address=$RESOLVER4 \
		--bind-interfaces --local=/test/ \
		--host-record=curl.fixture.egressk.test,$SRV4,3600 \
		--host-record=chromium.fixture.egressk.test,$SRV4,3600 \
		--host-record=go.fixture.egressk.test,$SRV4,3600 >/tmp/bench-dnsmasq.out 2>&1 &
	for ((i = 0; i < 50; i++)); do
		ip netns exec srv ss -Hlun "src $RESOLVER4 and sport = :53" | grep -q . && break
		sleep 0.2
	done
	ip netns exec srv ss -Hlun "src $RESOLVER4 and sport = :53" | grep -q . ||
		D_ERR="dnsmasq does not listen on $RESOLVER4: $(tail -3 /tmp/bench-dnsmasq.out | tr ' \n' '~~')"
	for n in $DOMS; do
		[ -n "$D_ERR" ] && break
		c=tdns$n
		mkconfig $c c "dom-$n-dns"
		ns=${NSOF[$c]}
		# binding is on: before any answer, the SYN to the server is refused
		emit check prelearn $c - $(first "$ns" 0.3 curl)
		for name in curl.fixture.egressk.test chromium.fixture.egressk.test; do
			a=$(ip netns exec "$ns" dig +short +time=2 +tries=2 @$RESOLVER4 $name A 2>&1 | tail -1)
			emit check resolve $c - name=$name answer=$(echo "$a" | tr ' ' '~')
		done
		learned=$("$CTL" show --netns-name "$ns" --learned | grep -c "^$SRV4 " || true)
		st=$(flowstats "$ns")
		emit check learned $c - entries=$learned $st
		log "block D: $c learned: $learned rows for $SRV4 ($st)"
		"$CTL" show --netns-name "$ns" --learned | sed 's/^/bench: learned: /'
		if [ "$learned" -lt 2 ]; then
			D_ERR="$c: $SRV4 not learned for both SNI names after dig (show --learned rows: $learned)"
			break
		fi
		TCONF+=("$c")
	done
	if [ -n "$D_ERR" ]; then
		log "block D: FAILED: $D_ERR"
		emit D error - - msg=$(echo "$D_ERR" | tr ' ' '~')
		TCONF=("${TCONF[@]/tdns*/}")
	fi
fi
HELLOS=()
for h in curl chromium; do HELLOS+=("$h:$(stat -c %s "$BB/hello/$h.bin")"); done
emit meta - - - tconfigs="$(IFS=,; echo "${TCONF[*]}")" hellos="$(IFS=,; echo "${HELLOS[*]}")" dtls=$DTLS
# sanity: the allowed SNIs pass everywhere; go's hello (go.fixture.egressk.test,
# in no rule) passes where the address decides and is refused where the name does
for c in "${TCONF[@]}"; do
	[ -n "$c" ] || continue
	first "${NSOF[$c]}" 0.3 curl >/dev/null	# warm-up (ARP, listener)
	for h in "${HELLOS[@]}"; do emit check "hello${h#*:}" $c - $(first "${NSOF[$c]}" 0.3 "${h%%:*}"); done
	emit check hellomiss $c - $(first "${NSOF[$c]}" 0.3 go)
done
ITEMS=()
for c in "${TCONF[@]}"; do [ -n "$c" ] && for h in "${HELLOS[@]}"; do ITEMS+=("$c/$h"); done; done
log "block T: SNI-inspected connection rate, ${#ITEMS[@]} configuration x hello pairs"
for ((r = 1; r <= ROUNDS; r++)); do
	for it in $(shuffle "${ITEMS[@]}"); do
		c=${it%%/*} h=${it#*/}
		emit T "hello${h#*:}" $c $r $(first "${NSOF[$c]}" $DTLS "${h%%:*}") bytes=${h#*:}
	done
	log "block T round $r done ($(since "$T0")s)"
done
for c in "${TCONF[@]}"; do
	case $c in a|ap|"") continue ;; esac
	emit T stats $c - $(flowstats "${NSOF[$c]}")
done
for c in "${TCONF[@]}"; do
	case $c in tdns*) ;; *) continue ;; esac
	emit check learnedafter $c - entries=$("$CTL" show --netns-name "${NSOF[$c]}" --learned | grep -c "^$SRV4 " || true)
done
[ -n "$D_ERR" ] && BENCH_RC=1
fi
# Flow-table occupancy: an entry lives as long as its conntrack, and after an
# ordinary close (FIN both ways) that is TIME_WAIT, 120 s by default, against
# 10 s after the RST the rate loop uses.  A fresh netns with the 10-rule
# policy, curl's hello, FIN close, FINCHUNKS x 10 s back to back: rate,
# refusals and the table's fill after each chunk.
want T && {
mkconfig tfin c dom-10
first "${NSOF[tfin]}" 0.3 curl >/dev/null
log "block T: flow-table occupancy with FIN close, $FINCHUNKS x 10 s"
for ((k = 1; k <= FINCHUNKS; k++)); do
	emit T fin tfin $k $(ip netns exec "${NSOF[tfin]}" "${PIN[@]}" "$LG" first $SRV4 $TLSPORT 10 "$BB/hello/curl.bin" fin 2>&1 | tail -1) \
		$(flowstats "${NSOF[tfin]}") ct_timewait=$(sysctl -n net.netfilter.nf_conntrack_tcp_timeout_time_wait) \
		ct_count=$(ip netns exec "${NSOF[tfin]}" sysctl -n net.netfilter.nf_conntrack_count) ct_max=$(sysctl -n net.netfilter.nf_conntrack_max)
done
}

# ------------------------------------------------------ block P: packets, bulk
want P && {
log "block P: UDP 64-byte sendmmsg, iperf3 1 and 4 flows on ${PKT[*]}"
iperf() {	# NS FLOWS -> Mbit/s received
	ip netns exec "$1" "${PIN[@]}" iperf3 -c $SRV4 -p 5201 -t "$DIPERF" -P "$2" -f m 2>&1 |
		awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i ~ /bits\/sec/) v = $(i - 1) } END { print v + 0 }'
}
for ((r = 1; r <= ROUNDS; r++)); do
	for c in $(shuffle "${PKT[@]}"); do
		ns=${NSOF[$c]}
		emit P udp $c $r $(ip netns exec "$ns" "${PIN[@]}" "$LG" udp $SRV4 9 $DUDP | tail -1)
		emit P iperf1 $c $r mbps=$(iperf "$ns" 1)
		emit P iperf4 $c $r mbps=$(iperf "$ns" 4)
	done
	log "block P round $r done ($(since "$T0")s)"
done
}

# ------------------------------------------------------ block L: load time
want L && {
log "block L: load time of $LOADN rules: egresskctl apply, ipset restore, nft -f"
for ((r = 1; r <= LOADREPS; r++)); do
	for k in $(shuffle c d e); do
		ns=l_${k}_$r
		ip netns add "$ns"
		sync; read -r s0 v0 p0 <<<"$(meminfo)"
		t=$(now)
		case $k in
		c) "$CTL" apply --netns-name "$ns" "$R/rand-$LOADN.egressk" >/dev/null; rc=$? ;;
		d) ip netns exec "$ns" ipset restore <"$R/rand-$LOADN.ipset"; rc=$? ;;
		e) ip netns exec "$ns" nft -f "$R/rand-$LOADN.nft"; rc=$? ;;
		esac
		el=$(since "$t")
		sleep 0.5; read -r s1 v1 p1 <<<"$(meminfo)"
		emit L mem $k $r slab_kb=$((s1 - s0)) vmalloc_kb=$((v1 - v0)) percpu_kb=$((p1 - p0)) rules=$LOADN
		emit L load $k $r secs=$el rc=$rc rules=$LOADN
		# egresskctl apply replaces atomically: time a replace of the same size too
		if [ $k = c ]; then
			t=$(now)
			"$CTL" apply --netns-name "$ns" "$R/rand-$LOADN.egressk" >/dev/null; rc=$?
			emit L replace c $r secs=$(since "$t") rc=$rc rules=$LOADN
		fi
		ip netns pids "$ns" | xargs -r kill -9
		ip netns del "$ns"
	done
done
}

# ------------------------------------------------------ block R: replace under traffic
want R && {
log "block R: policy replace under traffic (c10000)"
RNS=${NSOF[c10000]}
for ((r = 1; r <= REPL_ROUNDS; r++)); do
	for m in $( ((r % 2)) && echo "quiet replace" || echo "replace quiet"); do
		if [ $m = replace ]; then
			ip netns exec "$RNS" "${PIN[@]}" "$LG" conn $SRV4 $PORT 4 >"/tmp/repl.$r" 2>&1 &
			cp=$!
			n=0 t=$(now)
			while [ $n -lt 50 ] && awk -v a="$t" -v b="$(now)" 'BEGIN{exit !(b - a < 3.5)}'; do
				# on the other vCPU than the traffic: measure disruption, not CPU sharing
				taskset -c 0 "$CTL" apply --netns-name "$RNS" "$R/rand-10000.egressk" >/dev/null || log "replace failed"
				n=$((n + 1))
			done
			wait $cp
			emit R conn replace $r $(tail -1 "/tmp/repl.$r") replaces=$n
		else
			emit R conn quiet $r $(conn "$RNS" 4)
		fi
	done
done
}

# ------------------------------------------------------ block O: scale out
want O && {
log "block O: scale out to ${SO_STEPS##* } namespaces with a 200-rule policy each"
have=0
: >/tmp/so.ns
# ip -batch keeps a descriptor open per netns it resolves: 1,000 namespaces
# exceed the default 1,024.
ulimit -n 65536
# The IPv6 neighbour table is shared by all namespaces (2 entries per client:
# the client's and the server's): 1,000 clients pass the default gc_thresh3.
sysctl -qw net.ipv6.neigh.default.gc_thresh1=4096 net.ipv6.neigh.default.gc_thresh2=8192 \
	net.ipv6.neigh.default.gc_thresh3=16384
# New namespaces inherit the initial netns's defaults: no DAD on their veths,
# so they are reachable at once.
sysctl -qw net.core.devconf_inherit_init_net=1 net.ipv6.conf.default.accept_dad=0
# A bridge takes the lowest MAC of its ports unless given one: new ports would
# change it under the clients' neighbour caches.
ip -n srv link set br0 address 02:00:5e:10:00:01
# the full run reports 400 on the way to 1,000
[ "$MODE" = full ] && SO_STEPS="10 100 400 1000"
for step in $SO_STEPS; do
	t=$(now)
	{
		for ((i = have + 1; i <= step; i++)); do echo "netns add s$i"; done
		for ((i = have + 1; i <= step; i++)); do echo "link add x$i netns s$i type veth peer name y$i netns srv"; done
	} | ip -b - || log "batch create failed"
	for ((i = have + 1; i <= step; i++)); do echo "link set y$i master br0 up"; done | ip -n srv -b -
	for ((i = have + 1; i <= step; i++)); do	# two at a time: setup, not measured
		printf 'link set lo up\naddr add 2001:db8:100::%x/64 dev x%d nodad\nlink set x%d up\n' $((i + 16)) $i $i |
			ip -n "s$i" -b - &
		if ((i % 2)); then p1=$!; else wait $! $p1; fi
		echo "/run/netns/s$i" >>/tmp/so.ns
	done
	wait $p1
	emit O create - - nss=$step secs=$(since "$t") new=$((step - have))
	sleep 2	# warm-up, not measured: neighbour discovery in every new namespace
	"${PIN[@]}" "$LG" conn $SRV6 $PORT $((2 + (step - have) / 100)) /tmp/so.ns >/dev/null
	for ((r = 1; r <= SO_ROUNDS; r++)); do
		emit O conn unpoliced $r nss=$step $("${PIN[@]}" "$LG" conn $SRV6 $PORT $DCONN /tmp/so.ns | tail -1)
	done
	sync; sleep 1
	read -r s0 v0 p0 <<<"$(meminfo)"
	t=$(now)
	fails=0
	for ((i = have + 1; i <= step; i++)); do
		"$CTL" apply --netns-name "s$i" "$R/so-200.egressk" >/dev/null || fails=$((fails + 1))
	done
	at=$(since "$t")
	sleep 1
	read -r s1 v1 p1 <<<"$(meminfo)"
	emit O attach - - nss=$step secs=$at new=$((step - have)) fails=$fails slab_kb=$((s1 - s0)) vmalloc_kb=$((v1 - v0)) percpu_kb=$((p1 - p0))
	for ((r = 1; r <= SO_ROUNDS; r++)); do
		emit O conn policed $r nss=$step $("${PIN[@]}" "$LG" conn $SRV6 $PORT $DCONN /tmp/so.ns | tail -1)
	done
	emit O list - - nss=$step policed=$("$CTL" list | tail -n +2 | wc -l)
	have=$step
	log "block O step $step done ($(since "$T0")s)"
done
}

emit meta - - - ct_objsize=$(awk '$1 == "nf_conntrack" { print $4 }' /proc/slabinfo) total_secs=$(since "$T0")
log "done in $(since "$T0")s"
exit ${BENCH_RC:-0}
