package webhooks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/signature"
)

// RequiredScope is the staff scope that manages webhooks: every event
// type so far is about orders (stock changes follow from them), so
// MANAGE_ORDERS covers all of them.
const RequiredScope = auth.ScopeManageOrders

// ErrorCode classifies a FieldError.
type ErrorCode string

// Field error codes.
const (
	CodeInvalid      ErrorCode = "INVALID"
	CodeRequired     ErrorCode = "REQUIRED"
	CodeURLNotAllow  ErrorCode = "URL_NOT_ALLOWED"
	CodeNotFound     ErrorCode = "NOT_FOUND"
	CodeLimitReached ErrorCode = "LIMIT_REACHED"
)

// FieldError is a business error returned as data (WebhookError).
type FieldError struct {
	Field   string
	Code    ErrorCode
	Message string
}

// Input is what staff give to create or update an endpoint; nil fields
// are left as they are on update.
type Input struct {
	URL         *string
	Events      []EventType
	EventsSet   bool
	Description *string
}

// Service applies the rules of endpoints and deliveries over a Storer.
type Service struct {
	store Storer
	guard URLGuard
	now   func() time.Time
}

// NewService returns a service over store that checks URLs with guard.
func NewService(store Storer, guard URLGuard) *Service {
	return &Service{store: store, guard: guard, now: time.Now}
}

// authorize lets through callers holding RequiredScope.
func authorize(ctx context.Context) error {
	p := auth.FromContext(ctx)
	if p.HasScope(RequiredScope) {
		return nil
	}
	if !p.Admin && !p.Authenticated() {
		return ErrUnauthenticated
	}
	return ErrForbidden
}

// Create registers an endpoint and returns it with its secret.
func (s *Service) Create(ctx context.Context, in Input) (Endpoint, []FieldError, error) {
	if err := authorize(ctx); err != nil {
		return Endpoint{}, nil, err
	}
	var e Endpoint
	if in.URL == nil {
		return Endpoint{}, []FieldError{{Field: "url", Code: CodeRequired, Message: "give the endpoint's https URL"}}, nil
	}
	if !in.EventsSet {
		in.EventsSet, in.Events = true, nil
	}
	if fe := s.apply(ctx, &e, in); len(fe) > 0 {
		return Endpoint{}, fe, nil
	}
	n, err := s.store.CountEndpoints(ctx)
	if err != nil {
		return Endpoint{}, nil, fmt.Errorf("create webhook: %w", err)
	}
	if n >= MaxEndpoints {
		return Endpoint{}, []FieldError{{Code: CodeLimitReached, Message: fmt.Sprintf("at most %d webhooks may be registered", MaxEndpoints)}}, nil
	}
	secret, err := signature.NewSecret()
	if err != nil {
		return Endpoint{}, nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	e.ID, e.Secret, e.CreatedAt, e.UpdatedAt = newID(), secret, now, now
	if err := s.store.InsertEndpoint(ctx, e); err != nil {
		return Endpoint{}, nil, fmt.Errorf("create webhook: %w", err)
	}
	return e, nil, nil
}

// Update changes the given fields of an endpoint.
func (s *Service) Update(ctx context.Context, id string, in Input) (Endpoint, []FieldError, error) {
	if err := authorize(ctx); err != nil {
		return Endpoint{}, nil, err
	}
	e, fe, err := s.find(ctx, id)
	if err != nil || len(fe) > 0 {
		return Endpoint{}, fe, err
	}
	if fe := s.apply(ctx, &e, in); len(fe) > 0 {
		return Endpoint{}, fe, nil
	}
	e.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.ReplaceEndpoint(ctx, e); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Endpoint{}, notFound(id), nil
		}
		return Endpoint{}, nil, fmt.Errorf("update webhook: %w", err)
	}
	return e, nil, nil
}

// RotateSecret gives an endpoint a new secret and returns it; deliveries
// signed from then on use the new one.
func (s *Service) RotateSecret(ctx context.Context, id string) (Endpoint, []FieldError, error) {
	if err := authorize(ctx); err != nil {
		return Endpoint{}, nil, err
	}
	e, fe, err := s.find(ctx, id)
	if err != nil || len(fe) > 0 {
		return Endpoint{}, fe, err
	}
	if e.Secret, err = signature.NewSecret(); err != nil {
		return Endpoint{}, nil, err
	}
	e.UpdatedAt = s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.ReplaceEndpoint(ctx, e); err != nil {
		return Endpoint{}, nil, fmt.Errorf("rotate webhook secret: %w", err)
	}
	return e, nil, nil
}

// Delete removes an endpoint; its pending deliveries are dropped by the
// dispatcher when it finds the endpoint gone.
func (s *Service) Delete(ctx context.Context, id string) ([]FieldError, error) {
	if err := authorize(ctx); err != nil {
		return nil, err
	}
	if err := s.store.DeleteEndpoint(ctx, id); err != nil {
		if errors.Is(err, ErrNotFound) {
			return notFound(id), nil
		}
		return nil, fmt.Errorf("delete webhook: %w", err)
	}
	return nil, nil
}

// Endpoints lists the registered endpoints, oldest first.
func (s *Service) Endpoints(ctx context.Context) ([]Endpoint, error) {
	if err := authorize(ctx); err != nil {
		return nil, err
	}
	return s.store.Endpoints(ctx, MaxEndpoints)
}

// Endpoint returns one endpoint, or ErrNotFound.
func (s *Service) Endpoint(ctx context.Context, id string) (Endpoint, error) {
	if err := authorize(ctx); err != nil {
		return Endpoint{}, err
	}
	return s.store.Endpoint(ctx, id)
}

// Deliveries returns a page of an endpoint's deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, endpointID string, p Page) (DeliveryPage, error) {
	if err := authorize(ctx); err != nil {
		return DeliveryPage{}, err
	}
	if p.First < 0 || p.First > MaxPage {
		return DeliveryPage{}, fmt.Errorf("%w: first must be between 0 and %d", ErrInvalid, MaxPage)
	}
	return s.store.Deliveries(ctx, endpointID, p)
}

func (s *Service) find(ctx context.Context, id string) (Endpoint, []FieldError, error) {
	e, err := s.store.Endpoint(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Endpoint{}, notFound(id), nil
	}
	return e, nil, err
}

func notFound(id string) []FieldError {
	return []FieldError{{Field: "id", Code: CodeNotFound, Message: fmt.Sprintf("no webhook %q", id)}}
}

// apply checks in and writes it into e, reporting every problem at once.
func (s *Service) apply(ctx context.Context, e *Endpoint, in Input) []FieldError {
	var fe []FieldError
	if in.URL != nil {
		u, err := s.guard.CheckURL(ctx, *in.URL)
		switch {
		case errors.Is(err, ErrAddressNotAllowed):
			fe = append(fe, FieldError{Field: "url", Code: CodeURLNotAllow, Message: err.Error()})
		case err != nil:
			fe = append(fe, FieldError{Field: "url", Code: CodeInvalid, Message: err.Error()})
		default:
			e.URL = u
		}
	}
	if in.EventsSet {
		if len(in.Events) == 0 {
			fe = append(fe, FieldError{Field: "events", Code: CodeRequired, Message: "subscribe to at least one event type"})
		}
		var evs []EventType
		seen := map[EventType]bool{}
		for _, t := range in.Events {
			if !t.Valid() {
				fe = append(fe, FieldError{Field: "events", Code: CodeInvalid, Message: fmt.Sprintf("unknown event type %q", t)})
				continue
			}
			if !seen[t] {
				seen[t] = true
				evs = append(evs, t)
			}
		}
		e.Events = evs
	}
	if in.Description != nil {
		d := strings.TrimSpace(*in.Description)
		if !utf8.ValidString(d) || utf8.RuneCountInString(d) > MaxDescription {
			fe = append(fe, FieldError{Field: "description", Code: CodeInvalid, Message: fmt.Sprintf("at most %d characters of text", MaxDescription)})
		}
		e.Description = d
	}
	return fe
}
