package kube

import (
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// hostPort is an address a configuration value names.
type hostPort struct {
	host string
	port int32
}

// addresses returns the host:port addresses a value names: a URL, a
// host:port or a comma-separated list of them. URLs without a port get
// their scheme's (http 80, https 443).
func addresses(v string) []hostPort {
	var out []hostPort
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if strings.Contains(part, "://") {
			u, err := url.Parse(part)
			if err != nil || u.Hostname() == "" {
				continue
			}
			def := map[string]int32{"http": 80, "https": 443}[u.Scheme]
			if def == 0 && u.Port() == "" {
				continue
			}
			out = append(out, hostPort{u.Hostname(), addressPort(u.Host, def)})
			continue
		}
		h, ps, err := net.SplitHostPort(part)
		n, err2 := strconv.ParseInt(ps, 10, 32)
		if err != nil || err2 != nil || h == "" {
			continue
		}
		out = append(out, hostPort{h, int32(n)})
	}
	return out
}

// addressPort returns the port of host:port, or def without one.
func addressPort(addr string, def int32) int32 {
	_, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return def
	}
	n, err := strconv.ParseInt(ps, 10, 32)
	if err != nil {
		return def
	}
	return int32(n)
}

// mongoPorts returns the ports a MongoDB connection string connects to:
// each host's, 27017 by default and for mongodb+srv (the port MongoDB
// Atlas's SRV records name).
func mongoPorts(uri string) []int32 {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok || scheme == "mongodb+srv" {
		return []int32{27017}
	}
	hosts, _, _ := strings.Cut(rest, "/")
	hosts, _, _ = strings.Cut(hosts, "?")
	if i := strings.LastIndex(hosts, "@"); i >= 0 {
		hosts = hosts[i+1:]
	}
	var out []int32
	for _, h := range strings.Split(hosts, ",") {
		out = append(out, addressPort(h, 27017))
	}
	return out
}

func TestAddresses(t *testing.T) {
	cases := []struct {
		in   string
		want []hostPort
	}{
		{"http://products:4002", []hostPort{{"products", 4002}}},
		{"https://users.shop.svc/graphql", []hostPort{{"users.shop.svc", 443}}},
		{"b-1:9092, b-2:9094", []hostPort{{"b-1", 9092}, {"b-2", 9094}}},
		{":4001", nil},
		{"10.0.0.0/8,172.16.0.0/12", nil},
		{"shop:users:", nil},
		{"mongodb+srv://u:p@cluster0.example.net/?w=majority", nil},
	}
	for _, c := range cases {
		if got := addresses(c.in); !slices.Equal(got, c.want) {
			t.Errorf("addresses(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	mongo := map[string][]int32{
		"mongodb+srv://u:p@cluster0.example.net/?w=majority":        {27017},
		"mongodb://u:p@m1:27018,m2/?replicaSet=rs0":                 {27018, 27017},
		"mongodb://mongo.example.internal:27019/shop?tls=true":      {27019},
		"mongodb://user:p%40ss@mongo.example.internal/?authSource=": {27017},
	}
	for uri, want := range mongo {
		if got := mongoPorts(uri); !slices.Equal(got, want) {
			t.Errorf("mongoPorts(%q) = %v, want %v", uri, got, want)
		}
	}
}
