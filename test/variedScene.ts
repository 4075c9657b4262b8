/**
 * Test scenes: shell scripts that build a varied topology in namespaces named PREFIX-a, PREFIX-b,
 * ... (every link kind this kernel has, IPv6, policy tables, multipath, links down), used by the
 * fixture recorder and the kernel tests. Only ever inside namespaces the script creates.
 */

export function variedScene(p: string): string {
  const a = `ip -n ${p}a`;
  const b = `ip -n ${p}b`;
  return `
ip netns add ${p}a
ip netns add ${p}b
${a} link set lo up
${a} link add eth0 type veth peer name eth0 netns ${p}b
${a} link add v1 type veth peer name v2
${a} link add br0 type bridge
${a} link set v2 master br0
${a} link add mv0 link v1 type macvlan mode bridge
${a} link add vx0 type vxlan id 42 dev eth0 dstport 4789 local 10.61.0.1
${a} tuntap add dev tap0 mode tap
${a} tuntap add dev tun0 mode tun
${a} link set dev v1 alias 'netns-explorer: test alias'
${a} link add d1 type veth peer name d2
for l in eth0 v1 v2 br0 mv0 vx0 d1; do ${a} link set $l up; done
${b} link set eth0 up
${a} addr add 10.64.0.1/24 dev d1
${a} addr add 10.61.0.1/24 dev eth0
${a} addr add 10.61.0.9/32 dev eth0
${a} addr add fd61::1/64 dev eth0 nodad
${a} addr add 10.62.0.1/24 broadcast 10.62.0.255 dev br0
${a} addr add 10.63.0.1/24 dev tap0
${a} route add default via 10.61.0.2 dev eth0
${a} route add 10.70.0.0/16 via 10.61.0.2 table 100
${a} route add blackhole 10.71.0.0/16 table 100
${a} route add unreachable 10.72.0.0/16
${a} route add prohibit 10.73.0.0/16 metric 7
${a} route add 10.74.0.0/16 nexthop via 10.61.0.2 dev eth0 nexthop via 10.61.0.3 dev eth0 weight 2
${a} route add 10.75.0.1 dev eth0 src 10.61.0.1 proto static
${a} route add 10.76.0.0/16 via 10.99.0.1 dev eth0 onlink
${a} route add 10.78.0.0/16 via 10.64.0.2 dev d1
${a} -6 route add fd62::/64 via fd61::2 dev eth0 table 200
${a} -6 route add default via fd61::2 dev eth0 metric 1024
${a} -6 route add blackhole fd63::/64
${a} rule add from 10.61.0.0/24 table 100
${b} addr add 10.61.0.2/24 dev eth0
${b} addr add fd61::2/64 dev eth0 nodad
`;
}

export function removeScene(p: string): string {
  return `ip netns del ${p}a 2>/dev/null || true; ip netns del ${p}b 2>/dev/null || true`;
}
