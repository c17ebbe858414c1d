//! The window icon: the same artwork the packages install, generated from assets/icons/certdesk.svg
//! (packaging/generate-icons), so the taskbar and the launcher show one icon.

/// The 128 px PNG of the hicolor set, built into the binary.
const PNG: &[u8] = include_bytes!("../../assets/icons/hicolor/128x128/apps/io.github.certdesk.Certdesk.png");

/// The icon as RGBA pixels (empty, i.e. the platform's default, if the built-in PNG were unreadable).
pub fn app_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(PNG).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_icon_decodes_at_its_size() {
        let icon = super::app_icon();
        assert_eq!((icon.width, icon.height), (128, 128));
        assert_eq!(icon.rgba.len(), 128 * 128 * 4);
        // Transparent corners, opaque middle: the rounded tile, not an empty image.
        assert_eq!(icon.rgba[3], 0);
        let middle = (64 * 128 + 64) * 4;
        assert_eq!(icon.rgba[middle + 3], 255);
    }
}
