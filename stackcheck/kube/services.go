package kube

import (
	"k8s.io/apimachinery/pkg/util/intstr"
)

// CheckServices reports Services that select no Deployment or several,
// and ports that forward to no port the pods declare.
func (o *Objects) CheckServices() []string {
	var p problems
	for _, s := range o.Services {
		pods := o.selectedByMap(s.Spec.Selector)
		if len(pods) != 1 {
			p.addf("service %s selects the pods of %d Deployments, want 1", s.Name, len(pods))
			continue
		}
		if len(s.Spec.Ports) == 0 {
			p.addf("service %s has no port", s.Name)
		}
		for _, sp := range s.Spec.Ports {
			target := sp.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(sp.Port)
			}
			if _, ok := podPort(pods[0].Spec.Template.Spec.Containers, target); !ok {
				p.addf("service %s: port %d forwards to %s, which no container of %s declares", s.Name, sp.Port, target.String(), pods[0].Name)
			}
		}
	}
	return p
}

// ConfigMapLimit is the most a ConfigMap may hold for client-side `kubectl
// apply`, which copies the whole object into an annotation (256 KiB for
// all of an object's annotations).
const ConfigMapLimit = 256 << 10

// CheckConfigMapSizes reports ConfigMaps too large for `kubectl apply -k`
// (the supergraph grows with the schema).
func (o *Objects) CheckConfigMapSizes() []string {
	var p problems
	for _, cm := range o.ConfigMaps {
		n := 0
		for k, v := range cm.Data {
			n += len(k) + len(v)
		}
		for k, v := range cm.BinaryData {
			n += len(k) + len(v)*4/3
		}
		if n >= ConfigMapLimit {
			p.addf("configmap %s holds %d bytes: too large for kubectl apply's annotation (%d); apply with --server-side", cm.Name, n, ConfigMapLimit)
		}
	}
	return p
}
