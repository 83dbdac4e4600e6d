package app

import (
	"net/url"
	"regexp"
	"time"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/service"
	"github.com/shopsupergraph/shop/subgraphs/orders/graph"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/cart"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// productsBackoff is the products client's pause before its second
// attempt, doubled before each later one (productsclient's default).
const productsBackoff = 100 * time.Millisecond

// currencyCode is the shape of an ISO 4217 code.
var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// minReadBudget lets a shopper read a full order history (500 orders):
// the history's head, entries and orders with their transitions.
const minReadBudget = 2_100

// Config is the orders service's configuration: the shared variables plus
//
//	PRODUCTS_INTERNAL_URL     products' internal API (default http://localhost:4002)
//	PRODUCTS_TIMEOUT          per-attempt timeout of a products call (default 5s)
//	PRODUCTS_ATTEMPTS         attempts per products call, 1-10 (default 3)
//	ORDER_RESERVE_TIMEOUT     how long placeOrder and checkout wait for products
//	                          to reserve, every attempt included (default 12s);
//	                          a request's earlier deadline wins
//	ORDER_RECOVERY_GRACE      age before recovery takes over unfinished work (default 30s);
//	                          must exceed the reserve budget (ReserveBudget)
//	ORDER_RECOVERY_INTERVAL   pause between recovery passes (default 15s); one
//	                          replica at a time runs them, by a lease in the
//	                          database (10 s slots, see platform/lease)
//	CART_MAX_UNITS_PER_PRODUCT  units of one product a user's cart may hold (default 20)
//	CART_MAX_UNITS            units a user's cart may hold in all (default 100)
//	REQUEST_READ_BUDGET       database reads one GraphQL response may make (default 5000)
//	ADMIN_REQUEST_READ_BUDGET the same for requests with the admin key (default 50000)
//	SHOP_CURRENCY             ISO 4217 code of every Money amount, three upper-case
//	                          letters (default USD)
//
// A reservation is idempotent by order id, so an attempt that timed out
// is retried safely: the per-attempt timeout only has to be long enough
// for a loaded products service to answer, the reserve timeout bounds
// what a buyer waits. An order whose reservation ran out of time is
// rejected and its stock released (products refuses the late reserve).
type Config struct {
	service.Common
	ProductsURL      string
	ProductsTimeout  time.Duration
	ProductsAttempts int
	ReserveTimeout   time.Duration
	RecoveryGrace    time.Duration
	RecoveryInterval time.Duration
	// CartMaxUnitsPerProduct and CartMaxUnits are the cart's limits.
	CartMaxUnitsPerProduct int
	CartMaxUnits           int
	// ReadBudget and AdminReadBudget bound the database reads of one
	// GraphQL response (see platform/readbudget).
	ReadBudget      int
	AdminReadBudget int
	// Currency is the shop's ISO 4217 currency code (Money.currency).
	Currency string
}

// LoadConfig reads the configuration and reports every problem at once.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{
		Common:           service.LoadCommon(env, "orders", ":4003"),
		ProductsURL:      env.String("PRODUCTS_INTERNAL_URL", "http://localhost:4002"),
		ProductsTimeout:  env.Duration("PRODUCTS_TIMEOUT", 5*time.Second),
		ProductsAttempts: env.Int("PRODUCTS_ATTEMPTS", 3),
		ReserveTimeout:   env.Duration("ORDER_RESERVE_TIMEOUT", 12*time.Second),
		RecoveryGrace:    env.Duration("ORDER_RECOVERY_GRACE", 30*time.Second),
		RecoveryInterval: env.Duration("ORDER_RECOVERY_INTERVAL", 15*time.Second),

		CartMaxUnitsPerProduct: env.Int("CART_MAX_UNITS_PER_PRODUCT", cart.DefaultUnitsPerProduct),
		CartMaxUnits:           env.Int("CART_MAX_UNITS", cart.DefaultUnits),
		ReadBudget:             env.Int("REQUEST_READ_BUDGET", graph.DefaultReadBudget),
		AdminReadBudget:        env.Int("ADMIN_REQUEST_READ_BUDGET", graph.DefaultAdminReadBudget),
		Currency:               env.String("SHOP_CURRENCY", "USD"),
	}
	if !currencyCode.MatchString(c.Currency) {
		env.Problem("SHOP_CURRENCY must be an ISO 4217 code of three upper-case letters such as USD, got %q", c.Currency)
	}
	if u, err := url.Parse(c.ProductsURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		env.Problem("PRODUCTS_INTERNAL_URL must be an http(s) URL, got %q", c.ProductsURL)
	}
	if c.ProductsTimeout <= 0 {
		env.Problem("PRODUCTS_TIMEOUT must be positive")
	}
	if c.ProductsAttempts < 1 || c.ProductsAttempts > 10 {
		env.Problem("PRODUCTS_ATTEMPTS must be between 1 and 10, got %d", c.ProductsAttempts)
	}
	if c.ReserveTimeout <= 0 {
		env.Problem("ORDER_RESERVE_TIMEOUT must be positive")
	}
	if c.RecoveryInterval <= 0 {
		env.Problem("ORDER_RECOVERY_INTERVAL must be positive")
	}
	if c.CartMaxUnitsPerProduct < 1 || c.CartMaxUnitsPerProduct > ordering.MaxQuantity {
		env.Problem("CART_MAX_UNITS_PER_PRODUCT must be between 1 and %d, got %d", ordering.MaxQuantity, c.CartMaxUnitsPerProduct)
	}
	if c.CartMaxUnits < max(1, c.CartMaxUnitsPerProduct) {
		env.Problem("CART_MAX_UNITS (%d) must be at least CART_MAX_UNITS_PER_PRODUCT (%d)", c.CartMaxUnits, c.CartMaxUnitsPerProduct)
	}
	if c.ReadBudget < minReadBudget {
		env.Problem("REQUEST_READ_BUDGET must be at least %d, got %d", minReadBudget, c.ReadBudget)
	}
	if c.AdminReadBudget < c.ReadBudget {
		env.Problem("ADMIN_REQUEST_READ_BUDGET (%d) must be at least REQUEST_READ_BUDGET (%d)", c.AdminReadBudget, c.ReadBudget)
	}
	// Recovery settles PENDING orders older than the grace period from
	// products' reservation; one whose request still waits for products
	// would be settled under it (safely, but the buyer would be refused
	// an order products was about to reserve).
	if c.ProductsTimeout > 0 && c.ProductsAttempts >= 1 && c.ReserveTimeout > 0 && c.RecoveryGrace <= c.ReserveBudget() {
		env.Problem("ORDER_RECOVERY_GRACE (%s) must exceed the longest wait for a reservation, %s "+
			"(ORDER_RESERVE_TIMEOUT, or PRODUCTS_ATTEMPTS x PRODUCTS_TIMEOUT plus pauses when shorter)",
			c.RecoveryGrace, c.ReserveBudget())
	}
	if err := env.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// ReserveBudget is the longest a request waits for products to reserve an
// order's stock: the reserve timeout, or all attempts with their pauses
// when they end sooner.
func (c Config) ReserveBudget() time.Duration {
	attempts := time.Duration(c.ProductsAttempts) * c.ProductsTimeout
	pause := productsBackoff
	for i := 1; i < c.ProductsAttempts; i++ {
		attempts += pause
		pause *= 2
	}
	return min(c.ReserveTimeout, attempts)
}
