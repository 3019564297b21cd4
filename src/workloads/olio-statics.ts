// The static files each Olio PHP page makes a browser load, as Faban's UIDriver lists them
// (Olio 0.1, workload/php/trunk/.../driver/UIDriver.java: HOME_STATICS, TAGSEARCH_STATICS,
// EVENTDETAIL_STATICS, PERSON_STATICS, ADDPERSON_STATICS, ADDEVENT_STATICS). The driver does not
// read them from the page: Olio's markup names some with relative paths and the layout images only
// in its style sheets, so the lists are fixed. The profile loads these paths; the reference app
// serves them and lists the same ones on its pages.

const SCRIPTS = ['/js/tiny_mce/tiny_mce.js', '/js/prototype.js', '/js/effects.js', '/js/dragdrop.js', '/js/controls.js', '/js/application.js'];
const STYLES = ['/css/scaffold.css', '/css/site.css'];
const HEADER = ['/images/bg_main.png', '/images/RSS-icon-large.gif', '/images/php_bg_header.gif', '/images/php_main_nav_link_bg.gif'];
const TOP_CORNERS = ['/images/php_corner_top_right.gif', '/images/php_corner_top_left.gif'];
const BOTTOM = [
  '/images/php_corner_bottom_right.gif',
  '/images/php_corner_bottom_left.gif',
  '/images/php_reflec_tile.gif',
  '/images/php_reflec_right.gif',
  '/images/php_reflec_left.gif',
];
const NAV_HOVER = '/images/php_main_nav_hover_bg.gif';
/** The rich-text editor (TinyMCE's "simple" theme) of the two forms. */
const EDITOR = ['/js/tiny_mce/themes/simple/editor_template.js', '/js/tiny_mce/langs/en.js', '/js/tiny_mce/themes/simple/css/editor_ui.css'];
const EDITOR_BUTTONS = ['bold', 'italic', 'underline', 'strikethrough', 'separator', 'undo', 'redo', 'cleanup', 'bullist', 'numlist'].map(
  (name) => `/js/tiny_mce/themes/simple/images/${name}.gif`,
);
const VALIDATION = '/js/validateform.js';

/** The layout every page shares: 19 files (PersonDetail loads just these). */
const LAYOUT = [...SCRIPTS, ...STYLES, ...HEADER, ...TOP_CORNERS, ...BOTTOM];

/** Per page, in the driver's order. */
export const OLIO_PAGE_STATICS = {
  /** index.php: 20. */
  home: [...LAYOUT, NAV_HOVER],
  /** taggedEvents.php: 20. */
  tagSearch: [...LAYOUT, NAV_HOVER],
  /** events.php: 23, with the star rating's script and images. */
  eventDetail: [NAV_HOVER, ...SCRIPTS, ...STYLES, ...HEADER, '/js/starrating.js', ...TOP_CORNERS, '/images/star_on.png', '/images/star_off.png', ...BOTTOM],
  /** users.php: 19. */
  person: LAYOUT,
  /** addPerson.php: 33, with the form validation and the editor. */
  addPerson: [...SCRIPTS, ...STYLES, ...HEADER, VALIDATION, ...TOP_CORNERS, ...EDITOR, ...BOTTOM, ...EDITOR_BUTTONS],
  /** addEvent.php: 33. */
  addEvent: [...SCRIPTS, ...STYLES, ...HEADER, ...TOP_CORNERS, ...EDITOR, VALIDATION, ...BOTTOM, ...EDITOR_BUTTONS],
} as const satisfies Record<string, readonly string[]>;

export type OlioPage = keyof typeof OLIO_PAGE_STATICS;

/** Every static path any page loads, once each. */
export const OLIO_STATIC_PATHS: readonly string[] = [...new Set(Object.values(OLIO_PAGE_STATICS).flat())];
