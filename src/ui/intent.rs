//! What a view asks for. Views draw from the model and change only their own state (their form,
//! the view settings); everything else they return as intents, which the app applies after the
//! views ran: sending commands, selecting, starting downloads and exports.

use crate::cloud::pca::ServerType;
use crate::inventory::InventoryRow;
use crate::inventory::export::ExportFormat;
use crate::worker::Command;

/// One thing a view wants done.
#[derive(Debug)]
pub enum Intent {
    /// Send this command to the worker.
    Send(Command),
    /// Send the profile dialog's test; its job is the dialog's to wait for.
    TestProfileForm(Command),
    /// Send the profile dialog's save; the dialog closes when its job is done.
    SaveProfileForm(Command),
    /// Send the export dialog's export; the dialog closes when its job is done.
    ExportFromForm(Command),
    /// Refresh everything (unless a refresh runs).
    Refresh,
    /// Download this row's CA certificate (unless its download runs).
    Download(InventoryRow),
    /// Download the selected row's CA certificate, when it has one.
    DownloadSelected,
    /// Open the export dialog for the selected private certificate.
    OpenExportForSelected,
    /// Export the rows the table shows.
    ExportVisible(ExportFormat),
    /// Save the marked rows' certificates into a folder.
    ExportMarked(ServerType),
    /// Start the demo cloud.
    StartDemo,
    /// Open the add-profile dialog.
    AddProfile,
    /// Select a row (and bring it into view when `scroll`).
    Select {
        /// The row's id.
        id: String,
        /// Whether the table scrolls to it.
        scroll: bool,
    },
    /// Mark or unmark a row (profile, id) for bulk export.
    ToggleMark((String, String)),
    /// Unmark every row.
    ClearMarks,
    /// Hide the notice of the last run's crash.
    DismissCrashReport,
    /// Select the first row the table shows.
    SelectFirstVisible,
    /// Answer the app's save prompt: save where typed, or cancel.
    AnswerSavePrompt(bool),
}
