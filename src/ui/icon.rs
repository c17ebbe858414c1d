//! The window icon, drawn in code: a certificate seal on a blue tile. (The packaged icon set made
//! from assets/ replaces it in installers.)

/// Icon size in pixels.
const SIZE: u16 = 64;

/// The icon as RGBA pixels.
pub fn app_icon() -> egui::IconData {
    let mut rgba = Vec::with_capacity(usize::from(SIZE) * usize::from(SIZE) * 4);
    let c = (f32::from(SIZE) - 1.0) / 2.0;
    for y in 0..SIZE {
        for x in 0..SIZE {
            let (fx, fy) = (f32::from(x), f32::from(y));
            // Rounded tile: distance outside a square inset by the corner radius.
            let r = 12.0;
            let qx = (fx - c).abs() - (c - r);
            let qy = (fy - c).abs() - (c - r);
            let outside = qx.max(0.0).hypot(qy.max(0.0)) - r;
            let d = (fx - c).hypot(fy - c - 4.0);
            let ribbon =
                fy > c + 14.0 && ((fx - (c - 8.0)).abs() < 5.0 || (fx - (c + 8.0)).abs() < 5.0) && fy < c + 30.0;
            let pixel = if outside > 0.5 {
                [0, 0, 0, 0]
            } else if (12.0..=17.0).contains(&d) || d < 8.0 || ribbon {
                [255, 255, 255, 255]
            } else {
                [33, 102, 172, 255]
            };
            rgba.extend_from_slice(&pixel);
        }
    }
    egui::IconData { rgba, width: u32::from(SIZE), height: u32::from(SIZE) }
}
