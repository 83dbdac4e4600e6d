package kube

import (
	"net/netip"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Peer is one end of a connection: a pod (of this namespace or another)
// or an address outside the cluster.
type Peer struct {
	// Namespace is the pod's namespace; "" for an address outside the cluster.
	Namespace       string
	NamespaceLabels map[string]string
	Labels          map[string]string
	// Ports are the ports the pod's containers declare (named ports).
	Ports []corev1.ContainerPort
	// IP is the address of a peer outside the cluster.
	IP netip.Addr
}

// Outside returns a peer outside the cluster at ip.
func Outside(ip string) Peer { return Peer{IP: netip.MustParseAddr(ip)} }

// podPeer returns the pods of d as a peer.
func (o *Objects) podPeer(d *appsv1.Deployment) Peer {
	p := Peer{Namespace: d.Namespace, NamespaceLabels: o.namespaceLabels(d.Namespace), Labels: d.Spec.Template.Labels}
	for _, c := range d.Spec.Template.Spec.Containers {
		p.Ports = append(p.Ports, c.Ports...)
	}
	return p
}

// namespaceLabels returns a namespace's labels as the API server sets them
// (kubernetes.io/metadata.name included).
func (o *Objects) namespaceLabels(ns string) map[string]string {
	out := map[string]string{"kubernetes.io/metadata.name": ns}
	for _, n := range o.Namespaces {
		if n.Name == ns {
			for k, v := range n.Labels {
				out[k] = v
			}
		}
	}
	return out
}

// Allowed reports whether the network policies let from open a connection
// to port/proto of to, as the API defines them: a pod that a policy of a
// direction selects is isolated in that direction and accepts only what
// one of those policies' rules allows; both ends must allow.
func (o *Objects) Allowed(from, to Peer, port int32, proto corev1.Protocol) bool {
	ns := o.namespace()
	if to.Namespace == ns {
		if !o.allowedBy(networkingv1.PolicyTypeIngress, to, from, to, port, proto) {
			return false
		}
	}
	if from.Namespace == ns {
		if !o.allowedBy(networkingv1.PolicyTypeEgress, from, to, to, port, proto) {
			return false
		}
	}
	return true
}

// allowedBy evaluates one direction: self is the pod the policies select,
// other the far end, dst the end whose ports the rules name.
func (o *Objects) allowedBy(dir networkingv1.PolicyType, self, other, dst Peer, port int32, proto corev1.Protocol) bool {
	isolated := false
	for _, np := range o.NetworkPolicies {
		if np.Namespace != self.Namespace || !selects(&np.Spec.PodSelector, self.Labels) || !hasType(np, dir) {
			continue
		}
		isolated = true
		if dir == networkingv1.PolicyTypeIngress {
			for _, r := range np.Spec.Ingress {
				if peersMatch(r.From, other, np.Namespace) && portsMatch(r.Ports, dst, port, proto) {
					return true
				}
			}
			continue
		}
		for _, r := range np.Spec.Egress {
			if peersMatch(r.To, other, np.Namespace) && portsMatch(r.Ports, dst, port, proto) {
				return true
			}
		}
	}
	return !isolated
}

// hasType reports whether np governs direction dir (policyTypes, or by
// default Ingress, and Egress when it has egress rules).
func hasType(np networkingv1.NetworkPolicy, dir networkingv1.PolicyType) bool {
	if len(np.Spec.PolicyTypes) > 0 {
		return slices.Contains(np.Spec.PolicyTypes, dir)
	}
	return dir == networkingv1.PolicyTypeIngress || len(np.Spec.Egress) > 0
}

func peersMatch(peers []networkingv1.NetworkPolicyPeer, p Peer, ns string) bool {
	if len(peers) == 0 {
		return true
	}
	for _, peer := range peers {
		switch {
		case peer.IPBlock != nil:
			if p.Namespace == "" && inBlock(peer.IPBlock, p.IP) {
				return true
			}
		case p.Namespace == "":
		case peer.NamespaceSelector == nil:
			if p.Namespace == ns && selects(peer.PodSelector, p.Labels) {
				return true
			}
		default:
			if selects(peer.NamespaceSelector, p.NamespaceLabels) && (peer.PodSelector == nil || selects(peer.PodSelector, p.Labels)) {
				return true
			}
		}
	}
	return false
}

func inBlock(b *networkingv1.IPBlock, ip netip.Addr) bool {
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil || !cidr.Contains(ip) {
		return false
	}
	for _, e := range b.Except {
		if ex, err := netip.ParsePrefix(e); err == nil && ex.Contains(ip) {
			return false
		}
	}
	return true
}

func portsMatch(ports []networkingv1.NetworkPolicyPort, dst Peer, port int32, proto corev1.Protocol) bool {
	if len(ports) == 0 {
		return true
	}
	for _, pp := range ports {
		want := corev1.ProtocolTCP
		if pp.Protocol != nil {
			want = *pp.Protocol
		}
		if want != proto {
			continue
		}
		switch {
		case pp.Port == nil:
			return true
		case pp.Port.Type == intstr.Int:
			end := pp.Port.IntVal
			if pp.EndPort != nil {
				end = *pp.EndPort
			}
			if port >= pp.Port.IntVal && port <= end {
				return true
			}
		default:
			for _, cp := range dst.Ports {
				cpProto := cp.Protocol
				if cpProto == "" {
					cpProto = corev1.ProtocolTCP
				}
				if cp.Name == pp.Port.StrVal && cp.ContainerPort == port && cpProto == proto {
					return true
				}
			}
		}
	}
	return false
}

// CheckNetworkPolicies reports policies, and pod selectors inside their
// rules, that select no pod of the manifests, and named ports no selected
// pod declares: each is a typo that silently allows or denies the wrong
// traffic.
func (o *Objects) CheckNetworkPolicies() []string {
	var p problems
	if len(o.NetworkPolicies) == 0 {
		p.addf("the manifests create no NetworkPolicy")
	}
	for _, np := range o.NetworkPolicies {
		targets := o.selected(&np.Spec.PodSelector)
		if len(targets) == 0 {
			p.addf("networkpolicy %s selects no pod", np.Name)
		}
		for _, r := range np.Spec.Ingress {
			o.checkPeers(&p, np.Name, r.From)
			checkNamedPorts(&p, np.Name, r.Ports, targets)
		}
		for _, r := range np.Spec.Egress {
			peers := o.checkPeers(&p, np.Name, r.To)
			checkNamedPorts(&p, np.Name, r.Ports, peers)
		}
	}
	return p
}

// checkPeers reports pod selectors of this namespace that select nothing
// and returns the pods they select.
func (o *Objects) checkPeers(p *problems, policy string, peers []networkingv1.NetworkPolicyPeer) []*appsv1.Deployment {
	var out []*appsv1.Deployment
	for _, peer := range peers {
		if peer.PodSelector == nil || peer.NamespaceSelector != nil {
			continue
		}
		sel := o.selected(peer.PodSelector)
		if len(sel) == 0 {
			p.addf("networkpolicy %s: a rule's podSelector selects no pod", policy)
		}
		out = append(out, sel...)
	}
	return out
}

func checkNamedPorts(p *problems, policy string, ports []networkingv1.NetworkPolicyPort, pods []*appsv1.Deployment) {
	for _, pp := range ports {
		if pp.Port == nil || pp.Port.Type != intstr.String {
			continue
		}
		if len(pods) == 0 {
			p.addf("networkpolicy %s: named port %s names no port of a known pod", policy, pp.Port.StrVal)
			continue
		}
		for _, d := range pods {
			if _, ok := podPort(d.Spec.Template.Spec.Containers, *pp.Port); !ok {
				p.addf("networkpolicy %s: %s declares no port named %s", policy, d.Name, pp.Port.StrVal)
			}
		}
	}
}

// Call is a connection the configuration makes inside the namespace: the
// pods of Deployment From call the container port Port of To's pods.
type Call struct {
	From, To string
	Port     int32
}

// Flows is the traffic the services need, as found in their configuration.
type Flows struct {
	// Entry are the Deployments clients reach from outside the namespace.
	Entry []string
	// Calls are the connections inside the namespace.
	Calls []Call
	// External are, per Deployment, the TCP ports it reaches outside the
	// cluster (MongoDB, Kafka, Redis).
	External map[string][]int32
}

// Addresses the flow check stands in for the world with (documentation
// ranges of RFC 5737).
const (
	clientIP  = "203.0.113.10"
	managedIP = "198.51.100.20"
)

// CheckFlows holds the network policies against what the services need:
// everything in want is allowed, and nothing else is, between the pods,
// from outside the namespace and towards outside the cluster; every pod
// reaches DNS.
func (o *Objects) CheckFlows(want Flows) []string {
	var p problems
	ns := o.namespace()
	elsewhere := Peer{Namespace: ns + "-elsewhere", NamespaceLabels: map[string]string{"kubernetes.io/metadata.name": ns + "-elsewhere"}, Labels: map[string]string{"app": "client"}}
	dns := Peer{Namespace: "kube-system", NamespaceLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}, Labels: map[string]string{"k8s-app": "kube-dns"}}
	client, managed := Outside(clientIP), Outside(managedIP)
	for i := range o.Deployments {
		dst := &o.Deployments[i]
		to := o.podPeer(dst)
		entry := slices.Contains(want.Entry, dst.Name)
		for _, port := range to.Ports {
			n := port.ContainerPort
			for _, src := range []struct {
				what string
				peer Peer
			}{{"clients outside the cluster", client}, {"pods of other namespaces", elsewhere}} {
				if got := o.Allowed(src.peer, to, n, corev1.ProtocolTCP); got != entry {
					if entry {
						p.addf("%s cannot reach %s:%d, the way in", src.what, dst.Name, n)
					} else {
						p.addf("%s can reach %s:%d; only %v may be reachable from outside the namespace", src.what, dst.Name, n, want.Entry)
					}
				}
			}
			for j := range o.Deployments {
				src := &o.Deployments[j]
				needed := slices.Contains(want.Calls, Call{From: src.Name, To: dst.Name, Port: n})
				if got := o.Allowed(o.podPeer(src), to, n, corev1.ProtocolTCP); got != needed {
					if needed {
						p.addf("%s cannot reach %s:%d, which its configuration calls", src.Name, dst.Name, n)
					} else {
						p.addf("%s can reach %s:%d, which nothing in its configuration calls", src.Name, dst.Name, n)
					}
				}
			}
		}
	}
	candidates := o.policyPorts()
	for _, ports := range want.External {
		candidates = append(candidates, ports...)
	}
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	for i := range o.Deployments {
		d := &o.Deployments[i]
		from := o.podPeer(d)
		for _, proto := range []corev1.Protocol{corev1.ProtocolUDP, corev1.ProtocolTCP} {
			if !o.Allowed(from, dns, 53, proto) || !o.Allowed(from, managed, 53, proto) {
				p.addf("%s cannot reach DNS (port 53/%s)", d.Name, proto)
			}
		}
		for _, n := range candidates {
			needed := n == 53 || slices.Contains(want.External[d.Name], n)
			if got := o.Allowed(from, managed, n, corev1.ProtocolTCP); got != needed {
				if needed {
					p.addf("%s cannot reach port %d outside the cluster, which its configuration calls", d.Name, n)
				} else {
					p.addf("%s can reach port %d outside the cluster, which nothing in its configuration calls", d.Name, n)
				}
			}
			if n != 53 && o.Allowed(from, elsewhere, n, corev1.ProtocolTCP) {
				p.addf("%s can reach pods of other namespaces on port %d", d.Name, n)
			}
		}
	}
	return p
}

// policyPorts returns the port numbers the policies' egress rules name,
// and the ends of the port range, which a rule without ports opens.
func (o *Objects) policyPorts() []int32 {
	out := []int32{1, 53, 80, 443, 65535}
	for _, np := range o.NetworkPolicies {
		for _, r := range np.Spec.Egress {
			for _, pp := range r.Ports {
				if pp.Port != nil && pp.Port.Type == intstr.Int {
					out = append(out, pp.Port.IntVal)
				}
				if pp.EndPort != nil {
					out = append(out, *pp.EndPort)
				}
			}
		}
	}
	return out
}
