use crate::components::select;
use crate::state::{Msg, Play};
use statelab_sim::fleet::{check_chat_text, App, FileOp, SqlOp, CATALOG};
use statelab_sim::wire::jwt::TokenEdit;
use statelab_sim::LaneId;
use statelab_sim::{Action, AuthMode, User};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ActionBarProps {
    pub user: User,
    pub on_user: Callback<User>,
}

/// What a control acts with: the chosen user, item, page and server.
struct Picked {
    user: User,
    sku: String,
    page: u32,
    server: u8,
}

/// A control: its label, what it does (its tooltip and accessible
/// description; `{key}` and `{next}` name the signing keys), and the
/// message it sends.
type Control = (&'static str, &'static str, fn(&Picked) -> Msg);

const AS_USER: [Control; 6] = [
    (
        "Log in",
        "POST /login with the right password: each lane hands back its credential (a token, an API key or a session cookie)",
        |p| act(Action::Login { user: p.user, wrong_password: false }),
    ),
    ("Log in (wrong password)", "POST /login with a wrong password: refused with 401", |p| {
        act(Action::Login { user: p.user, wrong_password: true })
    }),
    ("GET /api/me", "Asks who is logged in, with whatever credential the browser holds", |p| {
        act(Action::Me { user: p.user })
    }),
    (
        "Log out",
        "POST /logout: ends the session; a JWT stays valid until it expires unless the lane keeps a denylist",
        |p| act(Action::Logout { user: p.user }),
    ),
    (
        "Tamper: role=admin",
        "Edits the stored credential by hand, as in devtools: claims role=admin, keeping the old signature",
        |p| {
            act(Action::Tamper {
                user: p.user,
                edit: TokenEdit::Claim { name: "role".into(), value: "admin".into() },
                lane: None,
            })
        },
    ),
    (
        "Tamper: alg none",
        "Rewrites the token's header to alg \"none\" and drops the signature: a server must refuse it",
        |p| act(Action::Tamper { user: p.user, edit: TokenEdit::AlgNone, lane: None }),
    ),
];

/// The shop's own steps, offered while a lane runs the shop.
const SHOP: [Control; 4] = [
    ("Add to cart", "POST /api/cart/items: puts the chosen item in the user's cart", |p| {
        act(Action::AddToCart { user: p.user, sku: p.sku.clone() })
    }),
    ("View cart", "GET /api/cart: the user's cart as the server sees it", |p| act(Action::ViewCart { user: p.user })),
    ("Orders page", "GET /api/orders?page=N: the page number travels in the URL, so any server can answer", |p| {
        act(Action::OrdersPage { user: p.user, page: p.page })
    }),
    ("Next page", "The next page of orders: who remembers which page you are on depends on the lane", |p| {
        act(Action::NextPage { user: p.user })
    }),
];

/// A control for one design only, offered while a lane uses it: which
/// modes have it, and the control.
type DesignControl = (fn(AuthMode) -> bool, Control);

const BY_DESIGN: [DesignControl; 2] = [
    (
        |m| m == AuthMode::Refresh,
        (
            "Refresh token",
            "POST /token/refresh with the refresh cookie: a new access token, and the refresh token rotated (presenting a used one revokes its family)",
            |p| act(Action::Refresh { user: p.user }),
        ),
    ),
    (
        |m| matches!(m, AuthMode::ApiKey { .. }),
        (
            "Rotate API key",
            "POST /keys/rotate with the current API key: a new key, and the old one refused at once on every server, as after a leak",
            |p| act(Action::RotateApiKey { user: p.user }),
        ),
    ),
];

const FAULTS: [Control; 5] = [
    ("Crash", "The chosen server dies with everything in its memory; health checks take a while to notice", |p| {
        act(Action::Crash { server: p.server })
    }),
    ("Restart", "Starts the chosen crashed server again, with empty memory", |p| {
        act(Action::Restart { server: p.server })
    }),
    (
        "Bounce (deploy restart)",
        "Restarts the chosen running server, as a deploy does: back at once, its memory wiped",
        |p| act(Action::Bounce { server: p.server }),
    ),
    ("Store outage", "The shared session store (and the denylist in it) stops answering", |_| act(Action::StoreDown)),
    ("Store recovers", "The shared session store answers again, with what it held", |_| act(Action::StoreUp)),
];

/// Drain, offered while a lane holds connections.
const DRAIN: Control = (
    "Drain",
    "The chosen server leaves rotation and closes each of its WebSocket connections with 1001 (going away), as before a deploy; it stays up, and Restart puts it back",
    |p| act(Action::Drain { server: p.server }),
);

/// What a connection lane's app does on its WebSocket, for the chosen user.
const CONNECTION: [Control; 3] = [
    (
        "Connect",
        "Opens the app's WebSocket: the handshake goes through the balancer, and the connection stays on the server that answers 101",
        |p| act(Action::Connect { user: p.user }),
    ),
    ("Ping", "The server pings the open connection (a keepalive) and the browser answers pong by itself: a page script can neither send a ping nor see one", |p| act(Action::Ping { user: p.user })),
    ("Disconnect", "Closes the connection with 1000 (normal closure); the app does not reconnect", |p| {
        act(Action::Disconnect { user: p.user })
    }),
];

/// What a file lane's client does for the chosen user: FTP commands on its
/// control connection, or the HTTP requests that do the same.
const FILES: [Control; 6] = [
    ("cd /pub", "FTP: CWD /pub then PWD, remembered by the server; HTTP: the client writes /pub into its URLs", |p| {
        act(Action::File { user: p.user, op: FileOp::Cd("/pub".into()) })
    }),
    ("cd /", "Back to the top directory, the same two ways", |p| {
        act(Action::File { user: p.user, op: FileOp::Cd("/".into()) })
    }),
    ("ls", "FTP: PASV, then LIST over the data connection; HTTP: GET the directory", |p| {
        act(Action::File { user: p.user, op: FileOp::Ls })
    }),
    ("get big.bin", "FTP: TYPE I, PASV, RETR; HTTP: GET the file (12,000 bytes at 2,000 a second)", |p| {
        act(Action::File { user: p.user, op: FileOp::Get("big.bin".into()) })
    }),
    (
        "resume",
        "Carries on a cut download: FTP with REST (logging in again if the session is gone), HTTP with Range",
        |p| act(Action::File { user: p.user, op: FileOp::Resume }),
    ),
    ("quit", "FTP: QUIT (221) ends the session; HTTP: the client forgets the credentials", |p| {
        act(Action::File { user: p.user, op: FileOp::Quit })
    }),
];

/// What a database lane's app asks of PostgreSQL, for the chosen user (and item).
const DATABASE: [Control; 10] = [
    ("BEGIN", "Opens a transaction on whichever connection the request gets", |p| sql(p, SqlOp::Begin)),
    ("INSERT", "Inserts an order for the chosen item", |p| sql(p, SqlOp::Insert { sku: p.sku.clone() })),
    ("SELECT", "Reads now() and the number of orders", |p| sql(p, SqlOp::Select)),
    ("COMMIT", "Commits the transaction the connection holds", |p| sql(p, SqlOp::Commit)),
    ("ROLLBACK", "Rolls back the transaction the connection holds", |p| sql(p, SqlOp::Rollback)),
    ("SET TimeZone Tokyo", "SET TimeZone TO 'Asia/Tokyo' for the session of the connection the request gets", |p| {
        sql(p, SqlOp::SetTz { zone: "Asia/Tokyo".into() })
    }),
    ("Prepare", "Prepares orders_by_owner on the connection the request gets", |p| sql(p, SqlOp::Prepare)),
    ("Execute", "Runs the prepared orders_by_owner for the user", |p| sql(p, SqlOp::Execute)),
    (
        "CREATE TEMP TABLE cart",
        "Creates the user's cart as a temporary table on the connection the request gets",
        |p| sql(p, SqlOp::Temp),
    ),
    ("INSERT INTO cart", "Puts the chosen item into the temporary cart of the connection the request gets", |p| {
        sql(p, SqlOp::Cart { sku: p.sku.clone() })
    }),
];

fn sql(p: &Picked, op: SqlOp) -> Msg {
    act(Action::Sql { user: p.user, op })
}

/// A game move's arrow, its name, and its step along x and y (y grows downward, as on a screen).
const MOVES: [(&str, &str, i8, i8); 4] =
    [("←", "Move left", -1, 0), ("↑", "Move up", 0, -1), ("↓", "Move down", 0, 1), ("→", "Move right", 1, 0)];

const TIME: [Control; 3] = [
    ("+10 s", "Moves the simulated clock 10 seconds on", |_| act(Action::Advance { ms: 10_000 })),
    (
        "+5 min",
        "Moves the simulated clock 5 minutes on (by default a token lives 15 minutes, a session 30 idle minutes)",
        |_| act(Action::Advance { ms: 300_000 }),
    ),
    ("+1 h", "Moves the simulated clock an hour on: tokens and idle sessions of the default lifetimes expire", |_| {
        act(Action::Advance { ms: 3_600_000 })
    }),
];

const KEYS: [Control; 2] = [
    (
        "Rotate key (keep old)",
        "New tokens and signed cookies are signed with {next}; those signed with {key} still verify",
        |_| act(Action::RotateKey { keep_old: true }),
    ),
    (
        "Rotate key (drop old)",
        "New tokens and signed cookies are signed with {next}; everything signed with {key} or earlier is refused",
        |_| act(Action::RotateKey { keep_old: false }),
    ),
];

const FLEET: [Control; 2] = [
    ("Add server", "A new server joins each lane's pool, with empty memory", |_| act(Action::AddServer)),
    ("Remove server", "The last server leaves each lane's pool, with the sessions in its memory", |_| {
        act(Action::RemoveServer)
    }),
];

const UNDO: [Control; 2] = [
    ("Undo", "Takes back the last action (after Reset: brings back what you had)", |_| Msg::Undo),
    ("Reset", "Starts over with the default lanes; Undo brings back what you had", |_| Msg::Reset),
];

fn act(action: Action) -> Msg {
    Msg::Act(action)
}

/// Every user step and fault, feeding both lanes at once, in groups.
#[component]
pub fn ActionBar(props: &ActionBarProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let servers = {
        let engine = play.playground();
        engine.lanes().iter().map(|l| l.servers().len()).max().unwrap_or(1) as u8
    };
    // Key ids count up (k1, k2…): the rotations say which key signs next.
    let key = play.playground().lane(LaneId::A).keys().last().map_or_else(|| "k1".to_owned(), |k| k.kid.clone());
    let next = key
        .get(1..)
        .and_then(|n| n.parse::<u32>().ok())
        .and_then(|n| n.checked_add(1))
        .map_or_else(|| "a new key".to_owned(), |n| format!("k{n}"));
    // Only what the lanes' apps can do.
    let apps = play.playground().lanes().each_ref().map(|l| l.config().app);
    let shop = apps.contains(&App::Shop);
    let chat = apps.iter().any(|a| matches!(a, App::Chat(_)));
    let game = apps.iter().any(|a| matches!(a, App::Game(_)));
    let sockets = chat || game;
    let files = apps.iter().any(|a| a.is_files());
    let db = apps.iter().any(|a| a.is_db());
    // Lanes whose browser speaks the shop's HTTP with the lane's credential:
    // a file lane sends a password its own way (FTP's PASS, HTTP's Basic) and
    // a database lane's app only runs SQL, so /api/me, logout, tampering, the
    // signing keys and the session store do nothing there.
    let http = apps.iter().any(|a| !a.is_files() && !a.is_db());
    let as_user: Vec<Control> = {
        let engine = play.playground();
        let http_modes: Vec<AuthMode> = engine
            .lanes()
            .iter()
            .map(|l| l.config())
            .filter(|c| !c.app.is_files() && !c.app.is_db())
            .map(|c| c.auth)
            .collect();
        let offered = BY_DESIGN.iter().filter(|(uses, _)| http_modes.iter().copied().any(uses)).map(|&(_, c)| c);
        // A file lane's login opens an FTP session or keeps the Basic credentials.
        let login = AS_USER[..2].iter().copied().filter(|_| http || files);
        let me = AS_USER[2..3].iter().copied().filter(|_| http);
        let shop_steps = SHOP.iter().copied().filter(|_| shop);
        let rest = AS_USER[3..].iter().copied().filter(|_| http);
        login.chain(me).chain(shop_steps).chain(rest).chain(offered).collect()
    };
    let store_faults = FAULTS[3..].iter().copied().filter(|_| http);
    let faults: Vec<Control> = FAULTS[..1]
        .iter()
        .copied()
        .chain(sockets.then_some(DRAIN))
        .chain(FAULTS[1..3].iter().copied())
        .chain(store_faults)
        .collect();
    let server = use_state(|| 1u8);
    let sku = use_state(|| CATALOG[0].to_owned());
    let page = use_state(|| 1u32);
    let picked =
        std::rc::Rc::new(Picked { user: props.user, sku: (*sku).clone(), page: *page, server: (*server).min(servers) });
    let button = |&(label, what, msg): &Control| {
        let (play, picked) = (play.clone(), picked.clone());
        let onclick = Callback::from(move |_: MouseEvent| play.dispatch(msg(&picked)));
        html! { <button type="button" title={what.replace("{key}", &key).replace("{next}", &next)} {onclick}>{label}</button> }
    };
    let group = |id: &str, title: &str, fields: Html, controls: &[Control]| {
        html! {
            <div class="group" role="group" aria-labelledby={id.to_owned()}>
                <h3 id={id.to_owned()}>{title}</h3>
                { fields }
                { for controls.iter().map(button) }
            </div>
        }
    };
    let on_user = {
        let cb = props.on_user.clone();
        Callback::from(move |v: String| {
            cb.emit(User::ALL.into_iter().find(|x| x.username() == v).unwrap_or(User::Alice))
        })
    };
    let user_fields = html! {
        <>
            { select("act-user", "User", &User::ALL.map(|x| (x.username().to_owned(), x.username().to_owned())), props.user.username(), on_user) }
            if shop || db {
                { select("act-sku", "Item", &CATALOG.map(|c| (c.to_owned(), c.to_owned())), &sku, setter(&sku, |v| v)) }
            }
            if shop {
                { select("act-page", "Page", &(1..=4).map(|n| (n.to_string(), n.to_string())).collect::<Vec<_>>(), &page.to_string(), setter(&page, |v| v.parse().unwrap_or(1))) }
            }
        </>
    };
    let server_field = select(
        "act-server",
        "Server",
        &(1..=servers).map(|n| (n.to_string(), format!("S{n}"))).collect::<Vec<_>>(),
        &picked.server.to_string(),
        setter(&server, |v| v.parse().unwrap_or(1)),
    );
    html! {
        <section class="actions" aria-label="Actions (both lanes)">
            { group("act-as-user", "As a user", user_fields, &as_user) }
            if db {
                { group("act-db", &format!("{}'s app → PostgreSQL", props.user.username()), html! {}, &DATABASE) }
            }
            if sockets {
                // Connect, what the apps send, then Ping and Disconnect.
                <div class="group" role="group" aria-labelledby="act-socket">
                    <h3 id="act-socket">{format!("{}'s WebSocket", props.user.username())}</h3>
                    { button(&CONNECTION[0]) }
                    { socket_fields(&play, props.user, chat, game) }
                    { for CONNECTION[1..].iter().map(button) }
                </div>
            }
            if files {
                { group("act-files", &format!("{}'s files", props.user.username()), Html::default(), &FILES) }
            }
            { group("act-faults", "Faults", server_field, &faults) }
            { group("act-time", "Time", Html::default(), &TIME) }
            if http {
                { group("act-keys", "Keys", Html::default(), &KEYS) }
            }
            { group("act-fleet", "Fleet", Html::default(), &FLEET) }
            { group("act-undo", "Undo", Html::default(), &UNDO) }
        </section>
    }
}

/// A chat line's field and its Say button (chat lanes), and the move arrows
/// (game lanes). The text is checked as the app would check it, and the
/// reason shown, before anything is sent.
fn socket_fields(play: &Play, user: User, chat: bool, game: bool) -> Html {
    html! {
        <>
            if chat {
                <SayForm {user} />
            }
            if game {
                <span class="moves" role="group" aria-label="Game moves">
                    { for MOVES.iter().map(|&(arrow, name, dx, dy)| {
                        let play = play.clone();
                        let onclick = Callback::from(move |_: MouseEvent| play.dispatch(act(Action::Move { user, dx, dy })));
                        html! { <button type="button" aria-label={name} title={format!("{name}: move {} {dx} {dy}", user.username())} {onclick}>{arrow}</button> }
                    }) }
                </span>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct SayProps {
    user: User,
}

/// `say alice hello there`: a text field checked as the app checks a chat
/// line (`check_chat_text`); a bad one says why and is not sent.
#[component]
fn SayForm(props: &SayProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let text = use_state(|| "hello".to_owned());
    let error = check_chat_text(&text).err();
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| text.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let onsubmit = {
        let (text, user, ok) = (text.clone(), props.user, error.is_none());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if ok {
                play.dispatch(act(Action::Say { user, text: (*text).clone() }));
            }
        })
    };
    html! {
        <form class="say" {onsubmit}>
            <label for="act-say">{"Message"}</label>
            <input id="act-say" value={(*text).clone()} {oninput} spellcheck="false" autocomplete="off"
                aria-invalid={error.is_some().to_string()} aria-describedby="act-say-error" />
            <button type="submit" title="Sends a chat message on the open connection">{"Say"}</button>
            <span id="act-say-error" class={classes!("say-error", error.is_some().then_some("bad"))} role="status">
                { error.as_ref().map(|e| format!("Not sent: {e}")).unwrap_or_default() }
            </span>
        </form>
    }
}

/// A select's callback that stores the chosen option, parsed, in `state`.
fn setter<T: 'static>(state: &UseStateHandle<T>, parse: fn(String) -> T) -> Callback<String> {
    let state = state.clone();
    Callback::from(move |v: String| state.set(parse(v)))
}
