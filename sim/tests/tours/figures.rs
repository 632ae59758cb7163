//! The SVG figures (`statelab figure`), read back with a real XML parser:
//! every tour step's figure is well-formed, renders as an image would (no
//! script, no foreign content, nothing fetched), and says what the engine
//! recorded; hostile tour text stays text. One figure is pinned byte for
//! byte: the README's, `docs/figures/sticky-crash-2.svg`.
//! Regenerate it after an intended change: `UPDATE_GOLDEN=1 cargo test -p statelab-sim --test tours figures::`.

use roxmltree::{Document, Node};
use statelab_sim::text::{figure_svg, FigureStep};
use statelab_sim::tours::{self, Scenario};
use statelab_sim::{Entry, LaneId, Playground};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/figures/sticky-crash-2.svg");
const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// The widest a line of 12 px text may be: 680 px at 7.3 px a column.
const MAX_COLUMNS: usize = 93;

fn figure(id: &str, step: usize) -> String {
    let s = Scenario::find(id).unwrap();
    s.figure(step, &Playground::from_scenario(&s, 1, step)).unwrap()
}

/// The text of every `<text>` under `node`, lines joined by spaces (a line
/// breaks where a space was).
fn text_under(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.has_tag_name((SVG_NS, "text")))
        .map(|n| n.text().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
}

fn lane_group<'a, 'i>(doc: &'a Document<'i>, lane: LaneId) -> Node<'a, 'i> {
    let class = format!("lane-{lane}");
    doc.descendants()
        .find(|n| n.attribute("class") == Some(class.as_str()))
        .unwrap_or_else(|| panic!("no {class} group"))
}

/// What makes an SVG unsafe or not an image on GitHub: scripts, foreign
/// content, anything fetched (an href, a `url(…)`, an `@import`), event handlers.
fn assert_image_only(doc: &Document<'_>, what: &str) {
    for n in doc.descendants().filter(Node::is_element) {
        let tag = n.tag_name().name();
        assert!(!["script", "foreignObject", "image", "use", "a", "iframe"].contains(&tag), "{what}: <{tag}>");
        for a in n.attributes() {
            assert!(a.name() != "href" && !a.name().starts_with("on"), "{what}: attribute {} on <{tag}>", a.name());
        }
    }
    let style = doc.descendants().find(|n| n.has_tag_name((SVG_NS, "style"))).and_then(|n| n.text()).unwrap();
    assert!(!style.contains("url(") && !style.contains("@import") && !style.contains("@font-face"), "{what}: {style}");
}

#[test]
fn every_step_figure_is_an_image_that_says_what_each_lane_recorded() {
    for s in tours::all() {
        for step in 1..=s.steps.len() {
            let what = format!("{} step {step}", s.id);
            let played = Playground::from_scenario(&s, 1, step);
            let svg = s.figure(step, &played).unwrap();
            let doc = Document::parse(&svg).unwrap_or_else(|e| panic!("{what}: {e}"));
            let root = doc.root_element();
            assert!(root.has_tag_name((SVG_NS, "svg")), "{what}");
            assert_eq!(root.attribute("role"), Some("img"), "{what}");
            assert_eq!(root.attribute(("http://www.w3.org/XML/1998/namespace", "lang")), Some("en"), "{what}");
            let height: u32 = root.attribute("height").unwrap().parse().unwrap();
            assert_eq!(root.attribute("viewBox"), Some(format!("0 0 720 {height}").as_str()), "{what}");
            let child = |tag| root.children().find(|n| n.has_tag_name((SVG_NS, tag))).and_then(|n| n.text());
            assert!(child("title").unwrap().starts_with(&*s.title), "{what}");
            let desc = child("desc").unwrap();
            assert_image_only(&doc, &what);
            let start = s.step_start(step).unwrap();
            for (id, lane) in LaneId::ALL.into_iter().zip(played.lanes()) {
                let shown = text_under(lane_group(&doc, id));
                let mut any = false;
                for e in lane.entries() {
                    match e {
                        Entry::Exchange(x) if x.action >= start => {
                            any = true;
                            let status = format!("{} {}", x.response.status, x.response.reason());
                            assert!(shown.contains(&status), "{what} lane {id}: {status} in {shown}");
                            let to = format!("{} → {}", x.client, x.server_label());
                            assert!(shown.contains(&to), "{what} lane {id}: {to} in {shown}");
                            let said = format!("from {} to {}: {status}.", x.client, x.server_label());
                            assert!(desc.contains(&said), "{what} lane {id}: {said} in {desc}");
                        }
                        Entry::Event(ev) if ev.action >= start => {
                            any = true;
                            let first_word = ev.text.split(' ').next().unwrap();
                            assert!(shown.contains(first_word), "{what} lane {id}: {}", ev.text);
                        }
                        Entry::Socket(r) if r.action >= start => {
                            any = true;
                            let conn = format!("ws#{} {} ⇄ S{}", r.conn, r.client, r.server);
                            assert!(shown.contains(&conn), "{what} lane {id}: {conn} in {shown}");
                        }
                        Entry::Ftp(r) if r.action >= start => {
                            any = true;
                            for code in r.codes() {
                                let said = [format!(" {code} "), format!(" {code}-")];
                                assert!(
                                    said.iter().any(|s| shown.contains(s)),
                                    "{what} lane {id}: reply {code} in {shown}"
                                );
                            }
                        }
                        Entry::Db(r) if r.action >= start => {
                            any = true;
                            let head = format!("sql {} {}", r.client, r.op);
                            assert!(shown.contains(&head), "{what} lane {id}: {head} in {shown}");
                        }
                        _ => {}
                    }
                }
                if !any {
                    assert!(shown.contains("Nothing happened in this lane."), "{what} lane {id}");
                }
            }
            for line in doc.descendants().filter(|n| n.has_tag_name((SVG_NS, "text"))).filter_map(|n| n.text()) {
                assert!(
                    line.chars().count() <= MAX_COLUMNS,
                    "{what}: a line of {} columns: {line}",
                    line.chars().count()
                );
            }
        }
    }
}

/// The easy guess would be that both lanes' requests went to the same
/// server. They did not: lane A's balancer rotates (S2, then S3), lane B's
/// sticky cookie keeps Alice on S1 — and the figure says which is which.
#[test]
fn each_lane_shows_its_own_servers_and_the_headers_the_step_points_at() {
    let svg = figure("sticky-crash", 2);
    let doc = Document::parse(&svg).unwrap();
    let (a, b) = (text_under(lane_group(&doc, LaneId::A)), text_under(lane_group(&doc, LaneId::B)));
    assert!(a.contains("#2 GET /api/me · alice → S2") && a.contains("#3 GET /api/me · alice → S3"), "{a}");
    assert!(!a.contains("→ S1"), "{a}");
    assert_eq!(b.matches("GET /api/me · alice → S1").count(), 2, "{b}");
    assert!(!b.contains("→ S2") && !b.contains("→ S3"), "{b}");
    // The step points at Cookie: lane B sends its pin, lane A sends no cookie.
    assert!(b.contains("Cookie: session_id=") && b.contains("; lb=S1"), "{b}");
    assert!(!a.contains("Cookie:"), "{a}");
    assert!(a.contains("stateless JWT") && b.contains("sessions in server memory · sticky cookie"), "{a}\n{b}");

    // A crash: lane A's S1 is drawn down and the 502 is the balancer's.
    let svg = figure("sticky-crash", 3);
    let doc = Document::parse(&svg).unwrap();
    let a = text_under(lane_group(&doc, LaneId::A));
    assert!(a.contains("502 Bad Gateway") && a.contains("→ load balancer") && a.contains("S1 ✕ down"), "{a}");
}

#[test]
fn hostile_tour_text_stays_text_and_wraps() {
    let s = Scenario::find("sticky-crash").unwrap();
    let played = Playground::from_scenario(&s, 1, 2);
    let long = "W".repeat(5_000);
    let hostile = format!(
        "<script>alert(1)</script> & ]]> <![CDATA[x]]> \u{202E}evil\u{202C} \u{0}\u{1b}[31m \u{FFFF} {long} 漢字{}",
        "漢".repeat(200)
    );
    let svg = figure_svg(&FigureStep {
        tour: "<tour id=\"x\">",
        title: &hostile,
        step: 2,
        steps: 4,
        say: &hostile,
        focus: &["Cookie", "<b>"],
        played: &played,
        start: s.step_start(2).unwrap(),
    });
    let doc = Document::parse(&svg).unwrap_or_else(|e| panic!("{e}"));
    assert_image_only(&doc, "hostile");
    assert!(!doc.descendants().any(|n| n.has_tag_name("script") || n.has_tag_name((SVG_NS, "script"))));
    for bad in ["]]>", "\u{202E}", "\u{0}", "\u{1b}", "\u{FFFF}"] {
        assert!(!svg.contains(bad), "{bad:?} written raw");
    }
    let title = doc.root_element().children().find(|n| n.has_tag_name((SVG_NS, "title"))).unwrap().text().unwrap();
    assert!(
        title.starts_with("<script>alert(1)</script> & ]]> <![CDATA[x]]> \\u{202e}evil\\u{202c} \\u{0}\\u{1b}[31m"),
        "{title}"
    );
    let all = text_under(doc.root_element());
    assert!(all.contains("<script>alert(1)</script>") && all.contains("tour <tour id=\"x\">"), "{all}");
    let lines: Vec<&str> =
        doc.descendants().filter(|n| n.has_tag_name((SVG_NS, "text"))).filter_map(|n| n.text()).collect();
    for line in &lines {
        let columns: usize = line.chars().map(|c| if c == '漢' || c == '字' { 2 } else { 1 }).sum();
        assert!(columns <= MAX_COLUMNS, "a line of {columns} columns: {line}");
    }
    // The long word is cut into lines, the title and the narration each into
    // at most 40 of them, the last ending in `…`.
    assert!(lines.iter().filter(|l| l.chars().all(|c| c == 'W')).count() >= 40, "{lines:?}");
    assert!(lines.iter().any(|l| l.ends_with('…')));
}

#[test]
fn the_readme_figure_matches_the_engine() {
    let now = figure("sticky-crash", 2);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(GOLDEN, &now).unwrap();
    }
    let golden =
        std::fs::read_to_string(GOLDEN).expect("docs/figures/sticky-crash-2.svg; write it with UPDATE_GOLDEN=1");
    if now != golden {
        let line = now.lines().zip(golden.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "figure differs from {GOLDEN} at line {}:\n  now:    {:?}\n  golden: {:?}",
            line + 1,
            now.lines().nth(line),
            golden.lines().nth(line)
        );
    }
}

#[test]
fn a_figure_is_the_same_bytes_every_time() {
    assert_eq!(figure("ws-crash-storm", 2), figure("ws-crash-storm", 2));
    assert_ne!(figure("sticky-crash", 2), figure("sticky-crash", 3));
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 64, ..Default::default() })]

    /// Any text at all in a tour's title, narration and id: the figure
    /// parses, shows no character raw that XML or a reader would trip on,
    /// and keeps every line within the figure.
    #[test]
    fn any_tour_text_gives_a_well_formed_figure(title in ".{0,300}", say in ".{0,600}", tour in ".{0,40}") {
        let s = Scenario::find("restart").unwrap();
        let played = Playground::from_scenario(&s, 1, 3);
        let svg = figure_svg(&FigureStep {
            tour: &tour,
            title: &title,
            step: 3,
            steps: 3,
            say: &say,
            focus: &["Cookie"],
            played: &played,
            start: s.step_start(3).unwrap(),
        });
        let doc = Document::parse(&svg).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
        assert_image_only(&doc, "any text");
        proptest::prop_assert!(!svg.chars().any(|c| c.is_control() && c != '\n'));
        for line in doc.descendants().filter(|n| n.has_tag_name((SVG_NS, "text"))).filter_map(|n| n.text()) {
            proptest::prop_assert!(line.chars().count() <= MAX_COLUMNS, "{line}");
        }
    }
}

#[test]
fn an_authors_tour_draws_its_figures_from_its_own_text_and_seed() {
    let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tours/example.json")).unwrap();
    let (s, seed) = Scenario::from_json(&file).unwrap();
    let svg = s.figure(2, &Playground::from_scenario(&s, seed, 2)).unwrap();
    assert_eq!(s.figure_file(2), "authored-2.svg");
    let doc = Document::parse(&svg).unwrap();
    assert_image_only(&doc, "authored step 2");
    let all = text_under(doc.root());
    assert!(all.starts_with("What a crash takes with it"), "{all}");
    assert!(all.contains("tour authored · seed 1"), "{all}");
    assert!(all.contains("lane B's session died with S1."), "{all}");
    // Lane B's last request lost its session with S1; lane A's token still worked.
    assert!(text_under(lane_group(&doc, LaneId::B)).contains("401"), "{all}");
    assert!(!text_under(lane_group(&doc, LaneId::A)).contains("401"), "{all}");
    assert_eq!(s.figure(3, &Playground::from_scenario(&s, seed, 2)), None, "the tour has two steps");
}

#[test]
fn the_legend_reads_an_ftp_replys_colour_by_its_first_digit_only_where_an_ftp_lane_is_shown() {
    // The legend's marks are HTTP's: on an FTP lane, a 425 is coloured as a 4xx but is no HTTP refusal.
    let ftp = figure("ftp-passive-balancer", 2);
    assert!(ftp.contains("RFC 959") && ftp.contains("425: no data connection"), "{ftp}");
    for (id, step) in [("sticky-crash", 2), ("db-leaky-set", 2)] {
        assert!(!figure(id, step).contains("RFC 959"), "{id}");
    }
}
