package kafkax_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/kafkax"
)

// pki is a throwaway certificate authority with a server certificate for
// 127.0.0.1 and a client certificate, the client's side written to files.
type pki struct {
	server             tls.Certificate
	pool               *x509.CertPool
	caFile             string
	certFile, keyFile  string
	otherCA, otherCert string // a CA and a client certificate the broker does not trust
	otherKey           string
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	serial := int64(0)
	issue := func(tmpl *x509.Certificate, parent *x509.Certificate, parentKey, k *ecdsa.PrivateKey) (*x509.Certificate, []byte) {
		serial++
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
		if parent == nil {
			parent, parentKey = tmpl, k
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c, der
	}
	ca := func(name string) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
		k := key()
		c, der := issue(&x509.Certificate{Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign}, nil, nil, k)
		return c, k, der
	}
	var p pki
	caCert, caKey, caDER := ca("shop test CA")
	p.caFile = write("ca.pem", "CERTIFICATE", caDER)
	p.pool = x509.NewCertPool()
	p.pool.AddCert(caCert)

	sk := key()
	_, sDER := issue(&x509.Certificate{Subject: pkix.Name{CommonName: "broker"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, caCert, caKey, sk)
	p.server = tls.Certificate{Certificate: [][]byte{sDER}, PrivateKey: sk}

	client := func(parent *x509.Certificate, parentKey *ecdsa.PrivateKey, prefix string) (string, string) {
		k := key()
		_, der := issue(&x509.Certificate{Subject: pkix.Name{CommonName: "shop-service"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, parent, parentKey, k)
		kder, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return write(prefix+"client.pem", "CERTIFICATE", der), write(prefix+"client-key.pem", "EC PRIVATE KEY", kder)
	}
	p.certFile, p.keyFile = client(caCert, caKey, "")
	otherCert, otherKey, otherDER := ca("somebody else's CA")
	p.otherCA = write("other-ca.pem", "CERTIFICATE", otherDER)
	p.otherCert, p.otherKey = client(otherCert, otherKey, "other-")
	return p
}

// TestTLSAndSASL runs topic creation, a write and a group consumer over
// TLS (the broker requires a client certificate) with each SASL
// mechanism, and shows the broker refusing a wrong password, a client
// certificate it did not sign and a client that does not trust its CA.
func TestTLSAndSASL(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	users := map[string]string{kafkax.SASLPlain: "plain-user", kafkax.SASLScramSHA256: "scram256-user", kafkax.SASLScramSHA512: "scram512-user"}
	const password = "correct horse battery staple"
	opts := []kfake.Opt{
		kfake.NumBrokers(1), kfake.EnableSASL(),
		kfake.TLS(&tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{p.server},
			ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.pool}),
	}
	for mech, user := range users {
		opts = append(opts, kfake.Superuser(mech, user, password))
	}
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	tlsOK := kafkax.TLSConfig{Enabled: true, CAFile: p.caFile, CertFile: p.certFile, KeyFile: p.keyFile}

	for _, mech := range []string{kafkax.SASLPlain, kafkax.SASLScramSHA256, kafkax.SASLScramSHA512} {
		t.Run(mech, func(t *testing.T) {
			c := newClient(t, kafkax.Config{Brokers: cluster.ListenAddrs(), Partitions: 1, TLS: tlsOK,
				SASL: kafkax.SASLConfig{Mechanism: mech, Username: users[mech], Password: password}})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			topic := "secure." + mech
			if err := c.EnsureTopics(ctx, topic, kafkax.DeadLetterTopic(topic)); err != nil {
				t.Fatal(err)
			}
			if err := c.AwaitTopics(ctx, topic, kafkax.DeadLetterTopic(topic)); err != nil {
				t.Fatal(err)
			}
			e, err := events.New("Secured", time.Now(), map[string]string{"via": mech})
			if err != nil {
				t.Fatal(err)
			}
			m, err := kafkax.Message(topic, "k", e)
			if err != nil {
				t.Fatal(err)
			}
			w := c.Writer()
			defer w.Close()
			if err := w.WriteMessages(ctx, m); err != nil {
				t.Fatal(err)
			}
			consumer := c.Consumer(kafkax.ReaderConfig{Topic: topic, GroupID: "g-" + mech}, nil)
			defer consumer.Close()
			got := make(chan string, 1)
			runCtx, stop := context.WithCancel(ctx)
			defer stop()
			go func() {
				_ = consumer.Run(runCtx, func(_ context.Context, e events.Envelope) error { //nolint:errcheck // nil when ctx ends
					got <- e.ID
					stop()
					return nil
				})
			}()
			select {
			case id := <-got:
				if id != e.ID {
					t.Fatalf("consumed %s, want %s", id, e.ID)
				}
			case <-ctx.Done():
				t.Fatal("nothing consumed over TLS and SASL")
			}
		})
	}

	refused := map[string]kafkax.Config{
		"wrong password": {TLS: tlsOK, SASL: kafkax.SASLConfig{Mechanism: kafkax.SASLScramSHA256, Username: users[kafkax.SASLScramSHA256], Password: "wrong"}},
		"no SASL":        {TLS: tlsOK},
		"client certificate from another CA": {TLS: kafkax.TLSConfig{Enabled: true, CAFile: p.caFile, CertFile: p.otherCert, KeyFile: p.otherKey},
			SASL: kafkax.SASLConfig{Mechanism: kafkax.SASLPlain, Username: users[kafkax.SASLPlain], Password: password}},
		"broker CA not trusted": {TLS: kafkax.TLSConfig{Enabled: true, CAFile: p.otherCA, CertFile: p.certFile, KeyFile: p.keyFile},
			SASL: kafkax.SASLConfig{Mechanism: kafkax.SASLPlain, Username: users[kafkax.SASLPlain], Password: password}},
		"no TLS": {SASL: kafkax.SASLConfig{Mechanism: kafkax.SASLPlain, Username: users[kafkax.SASLPlain], Password: password}},
	}
	for name, cfg := range refused {
		t.Run(name, func(t *testing.T) {
			cfg.Brokers = cluster.ListenAddrs()
			c := newClient(t, cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			err := c.EnsureTopics(ctx, "refused")
			if err == nil {
				t.Fatal("the broker accepted the client")
			}
			t.Log(err)
		})
	}
}
