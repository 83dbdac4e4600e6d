package accounts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/events"
)

// Options tune a Service.
type Options struct {
	// BcryptCost is the password hashing cost (bcrypt.DefaultCost when 0).
	BcryptCost int
	// Notify is called after a user (and so an event) was stored, to wake
	// the outbox relay; nil is fine.
	Notify func()
	// Guard limits login and registration attempts; nil means no limits.
	Guard Guard
	// Directory says who may list every user (DirectoryStaff when empty).
	Directory Directory
}

// Service implements the users use cases.
type Service struct {
	store  Storer
	tokens auth.Issuer
	cost   int
	notify func()
	guard  Guard
	dir    Directory
	now    func() time.Time
	// dummyHash is compared against on logins of unknown users, so they take
	// as long as a wrong password and timing does not reveal which names exist.
	dummyHash []byte
}

// RegisterInput is what a new user supplies. Email is optional.
type RegisterInput struct {
	Username string
	Password string
	Email    *string
	// ClientAddr is the address the request came from, for the Guard;
	// empty when unknown.
	ClientAddr string
}

// LoginInput is a login attempt.
type LoginInput struct {
	Username string
	Password string
	// ClientAddr is the address the request came from, for the Guard;
	// empty when unknown.
	ClientAddr string
}

// Session is a user with a freshly issued bearer token.
type Session struct {
	Token string
	User  User
}

// NewService returns a Service over store issuing tokens with tokens
// (HS256 or asymmetric: see platform/auth).
func NewService(store Storer, tokens auth.Issuer, o Options) (*Service, error) {
	cost := o.BcryptCost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("new accounts service: bcrypt cost %d outside %d..%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("timing-equalizer-not-a-password"), cost)
	if err != nil {
		return nil, fmt.Errorf("new accounts service: %w", err)
	}
	notify := o.Notify
	if notify == nil {
		notify = func() {}
	}
	guard := o.Guard
	if guard == nil {
		guard = openGuard{}
	}
	dir := o.Directory
	if dir == "" {
		dir = DirectoryStaff
	}
	if _, err := ParseDirectory(string(dir)); err != nil {
		return nil, fmt.Errorf("new accounts service: %w", err)
	}
	return &Service{store: store, tokens: tokens, cost: cost, notify: notify, guard: guard, dir: dir, now: time.Now, dummyHash: dummy}, nil
}

// Register validates the input, stores the user with a salted bcrypt hash
// of the password and its UserRegistered event, and returns a token. Of
// concurrent registrations of one name (in any letter case, or any
// look-alike spelling, see LookAlike) exactly one succeeds: the store's
// unique index decides. Valid registrations count
// against the Guard's per-address limit before the password is hashed.
func (s *Service) Register(ctx context.Context, in RegisterInput) (Session, error) {
	u, err := s.create(ctx, in, true, nil)
	if err != nil {
		return Session{}, fmt.Errorf("register: %w", err)
	}
	tok, err := s.tokens.Issue(identity(u))
	if err != nil {
		return Session{}, fmt.Errorf("register: %w", err)
	}
	return Session{Token: tok, User: u}, nil
}

// create validates in, counts it against the Guard when guarded, and
// stores the user (adjusted by decorate, when set) with its
// UserRegistered event.
func (s *Service) create(ctx context.Context, in RegisterInput, guarded bool, decorate func(*User)) (User, error) {
	nameErr := ValidateUsername(in.Username)
	if nameErr != nil && !LookAlike(in.Username) {
		return User{}, nameErr
	}
	if err := ValidatePassword(in.Password); err != nil {
		return User{}, err
	}
	email := ""
	if in.Email != nil {
		if err := ValidateEmail(*in.Email); err != nil {
			return User{}, err
		}
		email = *in.Email
	}
	if guarded {
		if err := s.guard.BeginRegister(ctx, in.ClientAddr); err != nil {
			return User{}, err
		}
	}
	if nameErr != nil {
		return User{}, s.lookAlikeError(ctx, in.Username, nameErr)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), s.cost)
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	u := User{
		ID:           s.store.NewID(),
		Username:     in.Username,
		Email:        email,
		PasswordHash: hash,
		// Millisecond precision is what the database keeps; truncating here
		// makes the returned createdAt equal to later reads.
		CreatedAt: s.now().UTC().Truncate(time.Millisecond),
	}
	if decorate != nil {
		decorate(&u)
	}
	ev, err := events.New(events.UserRegistered, u.CreatedAt, events.UserRegisteredData{UserID: u.ID, Username: u.Username})
	if err != nil {
		return User{}, err
	}
	if err := s.store.Create(ctx, u, NormalizeUsername(u.Username), ev); err != nil {
		return User{}, err
	}
	s.notify()
	return u, nil
}

// lookAlikeError answers the registration of a look-alike spelling (see
// LookAlike): the name it imitates is taken when that name exists,
// otherwise the spelling is simply invalid (nameErr). It runs after the
// Guard counted the attempt, so probing names this way is limited like
// registering them.
func (s *Service) lookAlikeError(ctx context.Context, username string, nameErr error) error {
	_, err := s.store.ByUsernameKey(ctx, NormalizeUsername(username))
	switch {
	case err == nil:
		return ErrUsernameTaken
	case errors.Is(err, ErrNotFound):
		return nameErr
	default:
		return fmt.Errorf("look-alike check: %w", err)
	}
}

// Login checks a username (any letter case) and password and returns a
// token. Every failure is ErrInvalidCredentials, unless the Guard refuses
// the attempt first (a *RateLimitedError): it is asked before the lookup
// and the bcrypt comparison, whether or not the name exists, so a refusal
// is as fast for every name and saves the hashing work. A success is
// reported to the Guard. A name no registration could have produced
// (invalid, or a look-alike spelling such as the Kelvin sign for K) fails
// at once: it matches no account, so the answer tells nothing.
func (s *Service) Login(ctx context.Context, in LoginInput) (Session, error) {
	if ValidateUsername(in.Username) != nil {
		return Session{}, ErrInvalidCredentials
	}
	key := NormalizeUsername(in.Username)
	if err := s.guard.BeginLogin(ctx, key, in.ClientAddr); err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	u, err := s.store.ByUsernameKey(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(in.Password)) //nolint:errcheck // only spends the time a real check takes
		return Session{}, ErrInvalidCredentials
	case err != nil:
		return Session{}, fmt.Errorf("login: %w", err)
	}
	if err := bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(in.Password)); err != nil {
		return Session{}, ErrInvalidCredentials
	}
	s.guard.LoginSucceeded(ctx, key, in.ClientAddr)
	tok, err := s.tokens.Issue(identity(u))
	if err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	return Session{Token: tok, User: u}, nil
}

// ByID returns one user.
func (s *Service) ByID(ctx context.Context, id string) (User, error) {
	u, err := s.store.ByID(ctx, id)
	if err != nil {
		return User{}, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

// ByIDs returns, for each id, its user or nil, in the order of ids, with
// one store query whatever the number of ids.
func (s *Service) ByIDs(ctx context.Context, ids []string) ([]*User, error) {
	found, err := s.store.ByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("get users: %w", err)
	}
	byID := make(map[string]*User, len(found))
	for i := range found {
		byID[found[i].ID] = &found[i]
	}
	out := make([]*User, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

// List returns one page of users (see Page for skip and take) to a
// caller the directory lets list them (ErrAdminKeyRequired or
// ErrForbidden otherwise).
func (s *Service) List(ctx context.Context, p auth.Principal, skip, take *int) ([]User, error) {
	if err := s.dir.mayList(p); err != nil {
		return nil, err
	}
	sk, tk, err := Page(skip, take)
	if err != nil {
		return nil, err
	}
	if tk == 0 {
		return []User{}, nil
	}
	us, err := s.store.List(ctx, sk, tk)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// Me returns the user of the request's token. A missing or invalid token,
// or a valid token whose user does not exist (deleted, or a forged id
// signed with a leaked secret), is ErrUnauthenticated.
func (s *Service) Me(ctx context.Context, p auth.Principal) (User, error) {
	if p.TokenErr != nil {
		return User{}, fmt.Errorf("%w: %w", ErrUnauthenticated, p.TokenErr)
	}
	if p.UserID == "" {
		return User{}, ErrUnauthenticated
	}
	u, err := s.store.ByID(ctx, p.UserID)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidID) {
		return User{}, fmt.Errorf("%w: token user: %v", ErrUnauthenticated, err) //nolint:errorlint // the cause is detail; callers branch on ErrUnauthenticated only
	}
	if err != nil {
		return User{}, fmt.Errorf("me: %w", err)
	}
	return u, nil
}

// CanSeeAccount reports whether p may read the private fields (email,
// registration time) of the user userID: only that user, admins and
// staff with MANAGE_USERS may; everyone else sees the id and username
// alone.
func CanSeeAccount(p auth.Principal, userID string) bool {
	return p.HasScope(auth.ScopeManageUsers) || (p.UserID != "" && p.UserID == userID)
}
