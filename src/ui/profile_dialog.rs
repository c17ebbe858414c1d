//! The profiles panel and the add/edit profile dialog. Secrets typed here go straight to the
//! worker, which stores them in the keyring; the form forgets them when it closes.

use std::collections::BTreeSet;

use super::intent::Intent;
use super::model::Model;
use super::settings::Settings;
use super::tokens;
use crate::cloud::{Cloud, Secret};
use crate::store::profiles::{AuthSettings, Profile};
use crate::worker::{Command, JobId, Outcome, ProfileSecrets};

/// The add/edit form.
pub struct ProfileForm {
    editing: Option<String>,
    name: String,
    cloud: Cloud,
    use_password: bool,
    access_key: String,
    secret_key: String,
    temporary: bool,
    security_token: String,
    domain_name: String,
    user_name: String,
    password: String,
    /// Scan every region the account has a project in (the profile stores no list).
    all_regions: bool,
    /// The regions ticked when not scanning all of them.
    regions: BTreeSet<String>,
    /// A region typed by hand (private clouds, new regions, the simulator).
    other_region: String,
    endpoint: String,
    ca_file: String,
    /// A private cloud's host per service and region, and its object-storage suffix.
    endpoint_template: String,
    object_storage_suffix: String,
    /// The simulator's socket standing in for the cloud's names (set from the CLI, kept on edit).
    resolve_to: Option<std::net::SocketAddr>,
    /// The save job running; the dialog closes when it is done and keeps everything on failure.
    saving: Option<JobId>,
    /// What went wrong with the last save, and the form as it was then (it clears once edited).
    error: Option<String>,
    error_for: u64,
    /// The test job running, and the last test's result.
    testing: Option<JobId>,
    tested: Option<Result<String, String>>,
    tested_for: u64,
}

impl Default for ProfileForm {
    fn default() -> Self {
        Self {
            editing: None,
            name: String::new(),
            cloud: Cloud::default(),
            use_password: false,
            access_key: String::new(),
            secret_key: String::new(),
            temporary: false,
            security_token: String::new(),
            domain_name: String::new(),
            user_name: String::new(),
            password: String::new(),
            all_regions: true,
            regions: BTreeSet::new(),
            other_region: String::new(),
            endpoint: String::new(),
            ca_file: String::new(),
            endpoint_template: String::new(),
            object_storage_suffix: String::new(),
            resolve_to: None,
            saving: None,
            error: None,
            error_for: 0,
            testing: None,
            tested: None,
            tested_for: 0,
        }
    }
}

impl ProfileForm {
    fn edit(p: &Profile) -> Self {
        let mut f = Self { editing: Some(p.name.clone()), name: p.name.clone(), cloud: p.cloud, ..Self::default() };
        match &p.auth {
            AuthSettings::AkSk { access_key, temporary } => {
                f.access_key.clone_from(access_key);
                f.temporary = *temporary;
            }
            AuthSettings::Password { domain_name, user_name } => {
                f.use_password = true;
                f.domain_name.clone_from(domain_name);
                f.user_name.clone_from(user_name);
            }
        }
        f.all_regions = p.regions.is_empty();
        f.regions = p.regions.iter().cloned().collect();
        f.endpoint = p.endpoint.clone().unwrap_or_default();
        f.ca_file = p.ca_file.as_ref().map(|c| c.display().to_string()).unwrap_or_default();
        f.endpoint_template = p.endpoint_template.clone().unwrap_or_default();
        f.resolve_to = p.resolve_to;
        f.object_storage_suffix = p.object_storage_suffix.clone().unwrap_or_default();
        f
    }

    /// Everything typed, hashed: an error shown for one state of the form clears once it changes.
    fn state_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let fields = [
            &self.name,
            &self.access_key,
            &self.secret_key,
            &self.security_token,
            &self.domain_name,
            &self.user_name,
            &self.password,
            &self.other_region,
            &self.endpoint,
            &self.ca_file,
            &self.endpoint_template,
            &self.object_storage_suffix,
        ];
        fields.hash(&mut h);
        (self.cloud.label(), self.use_password, self.temporary, self.all_regions, &self.regions).hash(&mut h);
        h.finish()
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
        self.error_for = self.state_hash();
    }

    /// What is wrong with the form that the profile itself cannot tell.
    fn problem(&self) -> Option<String> {
        (!self.all_regions && self.regions.is_empty())
            .then(|| "Tick at least one region, or choose \"All regions\".".to_owned())
    }

    fn to_profile(&self) -> (Profile, ProfileSecrets) {
        let auth = if self.use_password {
            AuthSettings::Password {
                domain_name: self.domain_name.trim().into(),
                user_name: self.user_name.trim().into(),
            }
        } else {
            AuthSettings::AkSk { access_key: self.access_key.trim().into(), temporary: self.temporary }
        };
        let regions = if self.all_regions { Vec::new() } else { self.regions.iter().cloned().collect() };
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let profile = Profile {
            name: self.name.trim().into(),
            cloud: self.cloud,
            auth,
            regions,
            endpoint: opt(&self.endpoint),
            ca_file: opt(&self.ca_file).map(Into::into),
            endpoint_template: opt(&self.endpoint_template),
            object_storage_suffix: opt(&self.object_storage_suffix),
            resolve_to: self.resolve_to,
        };
        let secret = |s: &str| Some(Secret::new(s)).filter(|s| !s.is_empty());
        let secrets = ProfileSecrets {
            secret_key: secret(&self.secret_key),
            security_token: secret(&self.security_token),
            password: secret(&self.password),
        };
        (profile, secrets)
    }
}

impl ProfileForm {
    /// A job ended: when it is this dialog's save, done closes it (`true`); a failure keeps
    /// every field, with the reason.
    pub fn job_finished(&mut self, job: JobId, outcome: &Outcome) -> bool {
        if self.testing == Some(job) {
            self.testing = None;
        }
        if self.saving != Some(job) {
            return false;
        }
        self.saving = None;
        match outcome {
            Outcome::Done => return true,
            Outcome::Cancelled => {}
            Outcome::Failed(message) => self.set_error(message.clone()),
        }
        false
    }

    /// A test result, shown when it is the test this dialog asked for.
    pub fn tested(&mut self, job: JobId, result: &Result<String, String>) {
        if self.testing == Some(job) {
            self.tested = Some(result.clone());
            self.tested_for = self.state_hash();
        }
    }

    /// The test job this dialog waits for.
    pub fn testing_job(&mut self, job: Option<JobId>) {
        self.testing = job;
    }

    /// The save job this dialog waits for.
    pub fn saving_job(&mut self, job: Option<JobId>) {
        self.saving = job;
    }

    /// The error shown, if any.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// The left panel: profiles with test, edit and delete, and where secrets are kept.
pub fn profiles_ui(
    ui: &mut egui::Ui,
    model: &Model,
    settings: &Settings,
    form: &mut Option<ProfileForm>,
    confirm_delete: &mut Option<String>,
) -> Vec<Intent> {
    let mut intents = Vec::new();
    // In a narrow window the table needs the room: the panel hides itself (Profiles shows it
    // again once the window is wider). Its width range does not depend on the window, so a width
    // the user chose survives a shrink and grow.
    let narrow = ui.ctx().content_rect().width() < tokens::PROFILES_AUTO_HIDE_BELOW;
    if model.demo_endpoint.is_some() || !settings.show_profiles || narrow {
        return intents;
    }
    let panel = egui::Panel::left("profiles")
        .resizable(true)
        .default_size(tokens::PROFILES_WIDTH)
        .size_range(tokens::PROFILES_MIN_WIDTH..=tokens::PROFILES_MAX_WIDTH);
    panel.show(ui, |ui| {
        ui.heading("Profiles");
        intents.extend(vault_status_ui(ui, model.vault.as_ref()));
        if ui.button("Add profile").clicked() {
            *form = Some(ProfileForm::default());
        }
        ui.separator();
        egui::ScrollArea::vertical().id_salt("profile-cards").auto_shrink([false, false]).show(ui, |ui| {
            intents.extend(profile_cards_ui(ui, model, form, confirm_delete));
        });
    });
    intents
}

/// One card per profile: name, cloud and regions, its sign-in state, Test, Edit, Delete.
fn profile_cards_ui(
    ui: &mut egui::Ui,
    model: &Model,
    form: &mut Option<ProfileForm>,
    confirm_delete: &mut Option<String>,
) -> Option<Intent> {
    let mut intent = None;
    {
        let palette = tokens::palette(ui.visuals().dark_mode);
        for profile in &model.profiles {
            ui.group(|ui| {
                ui.strong(&profile.name);
                ui.weak(format!(
                    "{} · {}",
                    profile.cloud.label(),
                    if profile.regions.is_empty() { "all regions".into() } else { profile.regions.join(", ") }
                ));
                ui.horizontal(|ui| {
                    if ui
                        .small_button("Test")
                        .on_hover_text("Test connection: sign in and resolve the project ids")
                        .clicked()
                    {
                        intent = Some(Intent::Send(Command::TestProfile(profile.name.clone())));
                    }
                    if ui.small_button("Edit").clicked() {
                        *form = Some(ProfileForm::edit(profile));
                    }
                    let confirming = confirm_delete.as_deref() == Some(profile.name.as_str());
                    if ui.small_button(if confirming { "Confirm delete" } else { "Delete" }).clicked() {
                        if confirming {
                            intent = Some(Intent::Send(Command::DeleteProfile(profile.name.clone())));
                            *confirm_delete = None;
                        } else {
                            *confirm_delete = Some(profile.name.clone());
                        }
                    }
                });
                match model.profile_tests.get(&profile.name) {
                    Some(Ok(message)) => {
                        ui.colored_label(palette.valid, crate::text::inert_lines(message).as_ref());
                    }
                    Some(Err(message)) => {
                        ui.colored_label(palette.error, crate::text::inert_lines(message).as_ref());
                    }
                    None => {}
                }
            });
        }
    }
    intent
}

/// Where secrets go, or what is wrong with the keyring and the way out.
pub fn vault_status_ui(ui: &mut egui::Ui, vault: Option<&Result<&'static str, String>>) -> Option<Intent> {
    let palette = tokens::palette(ui.visuals().dark_mode);
    let mut intent = None;
    match vault {
        Some(Ok(kind)) => {
            ui.weak(format!("Secrets: {kind}"));
        }
        Some(Err(problem)) => {
            // Wrapped to the space it has (never wider than a readable line): the message names the
            // way out before the technical details.
            ui.scope(|ui| {
                ui.set_max_width(ui.available_width().min(560.0));
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                ui.colored_label(palette.error, problem);
            });
            if ui
                .button("Keep secrets for this session only")
                .on_hover_text("Kept in memory, never written to disk, gone when certdesk exits")
                .clicked()
            {
                intent = Some(Intent::Send(Command::UseSessionOnlySecrets));
            }
        }
        None => {
            ui.weak("Opening the keyring...");
        }
    }
    intent
}

/// The add/edit dialog, when open.
pub fn profile_dialog_ui(
    ui: &mut egui::Ui,
    open: &mut Option<ProfileForm>,
    vault: Option<&Result<&'static str, String>>,
) -> Vec<Intent> {
    let mut intents = Vec::new();
    let vault_word = match vault {
        Some(Ok(kind)) => *kind,
        _ => "no keyring",
    };
    let Some(form) = open.as_mut() else { return intents };
    let mut close = false;
    let mut submit = None;
    let mut test = None;
    let mut session_only = false;
    let title = if form.editing.is_some() { "Edit profile" } else { "Add profile" };
    let modal = super::steady_modal("profile-dialog").show(ui.ctx(), |ui| {
        ui.set_width(500.0);
        ui.heading(title);
        form_fields_ui(form, ui);
        let palette = tokens::palette(ui.visuals().dark_mode);
        if form.error.is_some() && form.state_hash() != form.error_for {
            form.error = None;
        }
        if let Some(error) = &form.error {
            ui.colored_label(palette.error, error);
        }
        if let Some(Err(problem)) = vault {
            // Wrapped to the dialog's width: the way out is in the same place as the Save button.
            ui.colored_label(palette.error, problem);
            if ui
                .button("Keep secrets for this session only")
                .on_hover_text("Kept in memory, never written to disk, gone when certdesk exits")
                .clicked()
            {
                session_only = true;
            }
        }
        // A test result speaks of what was typed then: it goes once the form changes.
        if form.tested.is_some() && form.testing.is_none() && form.state_hash() != form.tested_for {
            form.tested = None;
        }
        match &form.tested {
            Some(Ok(message)) => {
                ui.colored_label(palette.valid, crate::text::inert_lines(message).as_ref());
            }
            Some(Err(message)) => {
                ui.colored_label(palette.error, crate::text::inert_lines(message).as_ref());
            }
            None => {}
        }
        ui.separator();
        ui.horizontal(|ui| {
            let saving = form.saving.is_some();
            if ui.add_enabled(!saving, egui::Button::new("Save")).clicked() {
                submit = Some(form.to_profile());
            }
            if ui
                .add_enabled(form.testing.is_none(), egui::Button::new("Test"))
                .on_hover_text("Sign in with what is typed here, without saving")
                .clicked()
            {
                test = Some(form.to_profile());
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
            if saving {
                ui.add(egui::Spinner::new());
                ui.weak(format!("Saving ({vault_word})..."));
            } else if form.testing.is_some() {
                ui.add(egui::Spinner::new());
                ui.weak("Signing in...");
            }
        });
    });
    if modal.should_close() {
        close = true;
    }
    if let Some((profile, secrets)) = submit.or(test.clone()) {
        let testing = test.is_some();
        if let Some(problem) = form.problem() {
            form.set_error(problem);
        } else if let Err(e) = profile.validate() {
            form.set_error(e);
        } else if testing {
            form.error = None;
            form.tested = None;
            intents.push(Intent::TestProfileForm(Command::TestProfileDraft { profile: Box::new(profile), secrets }));
        } else {
            form.error = None;
            let previous_name = form.editing.clone();
            // The typed secrets stay in the form until the save is done: a failure must not make
            // the user type them again. They go when the dialog closes.
            let save = Command::SaveProfile { profile: Box::new(profile), secrets, previous_name };
            intents.push(Intent::SaveProfileForm(save));
        }
    }
    if session_only {
        intents.push(Intent::Send(Command::UseSessionOnlySecrets));
    }
    if close {
        *open = None;
    }
    intents
}

/// The form's fields, in a grid of label and input.
fn form_fields_ui(form: &mut ProfileForm, ui: &mut egui::Ui) {
    egui::Grid::new("profile-form").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        let field = |ui: &mut egui::Ui, label: &str, value: &mut String, secret: bool| {
            let l = ui.label(label);
            ui.add(egui::TextEdit::singleline(value).password(secret).desired_width(280.0)).labelled_by(l.id);
            ui.end_row();
        };
        field(ui, "Name", &mut form.name, false);
        ui.label("Cloud");
        egui::ComboBox::from_id_salt("cloud").selected_text(form.cloud.label()).show_ui(ui, |ui| {
            for cloud in [Cloud::HuaweiCloud, Cloud::OpenTelekomCloud, Cloud::SwissOtc] {
                ui.selectable_value(&mut form.cloud, cloud, cloud.label());
            }
        });
        ui.end_row();
        ui.label("Sign in with");
        ui.horizontal(|ui| {
            ui.radio_value(&mut form.use_password, false, "AK/SK");
            ui.radio_value(&mut form.use_password, true, "IAM user");
        });
        ui.end_row();
        let keep = if form.editing.is_some() { " (empty: keep)" } else { "" };
        if form.use_password {
            field(ui, "Account (domain)", &mut form.domain_name, false);
            field(ui, "IAM user", &mut form.user_name, false);
            field(ui, &format!("Password{keep}"), &mut form.password, true);
        } else {
            field(ui, "Access key (AK)", &mut form.access_key, false);
            field(ui, &format!("Secret key (SK){keep}"), &mut form.secret_key, true);
            ui.label("");
            ui.checkbox(&mut form.temporary, "Temporary keys (with a security token)");
            ui.end_row();
            if form.temporary {
                field(ui, &format!("Security token{keep}"), &mut form.security_token, true);
            }
        }
        // Top-aligned: the region list below it is tall.
        ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| ui.label("Regions"));
        regions_ui(form, ui);
        ui.end_row();
        field(ui, "Custom endpoint", &mut form.endpoint, false);
        field(ui, "Private cloud: endpoint template", &mut form.endpoint_template, false);
        field(ui, "Private cloud: object storage suffix", &mut form.object_storage_suffix, false);
        field(ui, "Extra CA file (PEM)", &mut form.ca_file, false);
        // Set only from the command line (a simulator's socket): shown, so it can be seen and removed.
        if let Some(addr) = form.resolve_to {
            ui.label("Simulator stand-in");
            ui.horizontal(|ui| {
                ui.label(format!("the cloud's names resolve to {addr}")).on_hover_text(
                    "Set with `certdesk profile add --resolve-to`: this profile reaches a simulator, not the cloud",
                );
                if ui.button("Remove").clicked() {
                    form.resolve_to = None;
                }
            });
            ui.end_row();
        }
    });
}

/// The regions to scan: all of them (the account's projects decide), or a ticked list of the
/// cloud's regions plus any typed by hand.
fn regions_ui(form: &mut ProfileForm, ui: &mut egui::Ui) {
    ui.vertical(|ui| {
        ui.checkbox(&mut form.all_regions, "All regions")
            .on_hover_text("Every region the account has a project in, found when the profile loads");
        if form.all_regions {
            return;
        }
        // The cloud's regions first, then any others the profile already names.
        let known = form.cloud.regions();
        let others: Vec<String> = form.regions.iter().filter(|r| !known.contains(&r.as_str())).cloned().collect();
        let names: Vec<String> = known.iter().map(|r| (*r).to_owned()).chain(others).collect();
        ui.horizontal(|ui| {
            ui.weak(format!("{} of {} ticked", form.regions.len(), names.len()));
            if ui.small_button("Tick all").clicked() {
                form.regions.extend(names.iter().cloned());
            }
            if ui.small_button("Clear").clicked() {
                form.regions.clear();
            }
        });
        // Three columns: Huawei Cloud has over thirty regions, and a short list scrolls less.
        egui::ScrollArea::vertical().id_salt("region-list").min_scrolled_height(120.0).max_height(140.0).show(
            ui,
            |ui| {
                egui::Grid::new("region-grid").num_columns(3).spacing([10.0, 2.0]).show(ui, |ui| {
                    for (i, name) in names.iter().enumerate() {
                        let mut ticked = form.regions.contains(name);
                        if ui.checkbox(&mut ticked, name.as_str()).changed() {
                            if ticked {
                                form.regions.insert(name.clone());
                            } else {
                                form.regions.remove(name);
                            }
                        }
                        if i % 3 == 2 {
                            ui.end_row();
                        }
                    }
                });
            },
        );
        ui.horizontal(|ui| {
            let l = ui.label("Other region");
            let edit =
                ui.add(egui::TextEdit::singleline(&mut form.other_region).desired_width(150.0)).labelled_by(l.id);
            let entered = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.small_button("Add region").clicked() || entered {
                let region = form.other_region.trim().to_ascii_lowercase();
                if region.is_empty() {
                    form.set_error("Type a region id, e.g. eu-de, then Add region.".into());
                } else if crate::cloud::validate::is_region(&region) {
                    form.regions.insert(region);
                    form.other_region.clear();
                    form.error = None;
                } else {
                    // Kept in the field so it can be corrected; region ids go into endpoint host names.
                    form.set_error(format!(
                        "\"{region}\" is not a region id: use letters, digits and '-' only (e.g. eu-de)."
                    ));
                }
            }
        });
    });
}
