/**
 * Every size and gap of the picture, in flow units (pixels at zoom 1). The node views draw to
 * these sizes (canvas.css matches them), and every layout step spaces things with them, so the
 * automatic layout, the instant grid and the stable placement of new things agree.
 */

/** Height of a namespace box's header (kind badge, name, sub line): interfaces start below it. */
export const NS_HEADER = 64;
/** Inner padding of a namespace box on the left, right and bottom. */
export const NS_PAD = 16;
/** Width of an empty (or nearly empty) namespace box. */
export const NS_MIN_W = 240;
/** Height of a namespace box without interfaces: the header and a line of room. */
export const NS_MIN_H = NS_HEADER + 24;

/** Width of an interface node, and the wider bridge node (it has a rail for its ports). */
export const IFACE_W = 184;
export const BRIDGE_W = 236;
/** Height of an interface node without addresses (name line and one muted line). */
export const IFACE_BASE_H = 46;
/** Height each drawn address line adds to an interface node. */
export const ADDR_LINE_H = 16;
/** Addresses drawn on an interface node; the rest are summed up as "+n more". */
export const ADDR_LINES_MAX = 3;

/** Between interfaces side by side or one above the other inside a box. */
export const CHILD_GAP = 12;
/** Between interfaces in a box that ELK lays out (its layered algorithm). */
export const ELK_CHILD_GAP = 16;
/** Between namespace boxes side by side, and between rows of boxes. */
export const BOX_GAP = 40;
/** Between the layers of ELK's layered picture (containers above the host). */
export const LAYER_GAP = 60;
/** Between what is on screen and the first row of new boxes placed below it. */
export const NEW_ROW_GAP = 60;
/** A new box takes ELK's place only when that place keeps this far from every box on screen. */
export const NEW_BOX_CLEARANCE = 20;
/** The narrowest row new boxes are laid in below the picture, when the picture is narrower. */
export const NEW_ROW_MIN_W = 1600;
