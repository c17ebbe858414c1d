//! What draws the window: glow (OpenGL 2 or later) or wgpu (Vulkan, DirectX 12, Metal). Over
//! Remote Desktop or in a VM without OpenGL 2, glow cannot start (`egui_glow requires opengl
//! 2.0+`) while DirectX 12's software WARP can; a Linux desktop without Vulkan has OpenGL. So the
//! preferred one is tried first (wgpu on Windows, glow elsewhere) and the other when it fails to
//! start; `--renderer` / `CERTDESK_RENDERER` forces one for support cases.

use std::fmt::Write as _;

use crate::cli::Renderer;

/// The renderers to try, in order.
pub fn order(forced: Option<Renderer>) -> Vec<Renderer> {
    match forced {
        Some(one) => vec![one],
        None if cfg!(windows) => vec![Renderer::Wgpu, Renderer::Glow],
        None => vec![Renderer::Glow, Renderer::Wgpu],
    }
}

/// eframe's name for it.
pub fn eframe_renderer(renderer: Renderer) -> eframe::Renderer {
    match renderer {
        Renderer::Glow => eframe::Renderer::Glow,
        Renderer::Wgpu => eframe::Renderer::Wgpu,
    }
}

/// What the About box says of the renderer that runs: its name, the adapter wgpu chose, and
/// why the ones tried before it did not start.
pub fn describe(renderer: Renderer, cc: &eframe::CreationContext<'_>, failed: &[(Renderer, String)]) -> String {
    let mut text = match (renderer, cc.wgpu_render_state.as_ref()) {
        (Renderer::Wgpu, Some(state)) => {
            let info = state.adapter.get_info();
            format!("wgpu ({:?}, {})", info.backend, info.name)
        }
        (Renderer::Wgpu, None) => "wgpu".to_owned(),
        (Renderer::Glow, _) => "glow (OpenGL)".to_owned(),
    };
    for (other, why) in failed {
        let _ = write!(text, "; {} did not start: {why}", other.label());
    }
    text
}

/// The window could not open.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    /// No renderer could start.
    #[error(
        "the window could not open: {}. Over Remote Desktop or in a VM without 3D acceleration, try \
         `certdesk --renderer wgpu` (DirectX 12's software renderer on Windows) or enable the VM's 3D support; \
         every command works without a window (`certdesk list`, `certdesk --help`).",
        .0.iter().map(|(r, why)| format!("{} failed ({why})", r.label())).collect::<Vec<_>>().join(", ")
    )]
    NoRenderer(Vec<(Renderer, String)>),
    /// The app started and then stopped with an error.
    #[error("the window closed with an error: {0}")]
    Stopped(String),
}

#[cfg(test)]
mod tests {
    use super::{Renderer, order};

    #[test]
    fn the_preferred_renderer_comes_first_and_a_forced_one_alone() {
        let expected = if cfg!(windows) { [Renderer::Wgpu, Renderer::Glow] } else { [Renderer::Glow, Renderer::Wgpu] };
        assert_eq!(order(None), expected);
        assert_eq!(order(Some(Renderer::Wgpu)), [Renderer::Wgpu]);
    }
}
