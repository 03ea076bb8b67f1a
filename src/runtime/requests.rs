//! Answers to the control socket: unit status (`systemctl status`-like) and start, stop,
//! reload and restart requests.

use super::control::{Request, Response, UnitStatus};
use super::manager::{Manager, Rt, UnitId};
use super::service_unit::ServiceEvent;
use super::socket_unit::SocketEvent;
use super::sys::event_loop::now;

impl Manager<'_> {
    /// Unit ids in load order.
    pub fn unit_ids(&self) -> Vec<UnitId> {
        self.units.keys().copied().collect()
    }

    /// The status of one unit.
    pub fn status(&self, id: UnitId) -> Option<UnitStatus> {
        let u = self.unit(id)?;
        let (sub, active, result) = self.state_of(id)?;
        let mut st = UnitStatus {
            name: u.spec.name.clone(),
            description: u.spec.description.clone(),
            fragment: u.spec.fragment.clone(),
            active: active.name().to_owned(),
            sub: sub.to_owned(),
            result: result.to_owned(),
            main_pid: None,
            control_pid: None,
            n_accepted: None,
            n_connections: None,
            n_refused: None,
            n_restarts: None,
            listen: Vec::new(),
            triggers: Vec::new(),
            triggered_by: Vec::new(),
            since_usec: now().saturating_sub(u.since),
            status_text: None,
        };
        match &u.rt {
            Rt::Socket(s) => {
                st.control_pid = s.control_pid;
                st.n_accepted = Some(s.m.n_accepted);
                st.n_connections = Some(s.m.n_connections);
                st.n_refused = Some(s.m.n_refused);
                st.listen = s
                    .config
                    .listens
                    .iter()
                    .map(|l| {
                        format!(
                            "{} ({})",
                            crate::config::listen::format_address(l),
                            listen_type(l)
                        )
                    })
                    .collect();
                st.triggers = s.triggers.map(|t| self.name(t)).into_iter().collect();
            }
            Rt::Service(s) => {
                st.main_pid = s.main_pid;
                st.control_pid = s.control_pid;
                st.n_restarts = Some(u64::from(s.m.restart_count));
                st.status_text = s.m.status_text.clone();
                st.triggered_by = s.triggered_by.iter().map(|&t| self.name(t)).collect();
            }
        }
        Some(st)
    }

    /// Answers one control request.
    pub fn handle(&mut self, req: Request) -> Response {
        let req_kind = match req {
            Request::Reload { .. } => Kind::Reload,
            _ => Kind::Other,
        };
        match req {
            Request::Status { units } => {
                let ids: Result<Vec<UnitId>, String> = if units.is_empty() {
                    Ok(self.unit_ids())
                } else {
                    units
                        .iter()
                        .map(|n| {
                            self.ids
                                .get(n)
                                .copied()
                                .ok_or_else(|| format!("Unit {n} could not be found."))
                        })
                        .collect()
                };
                match ids {
                    Ok(ids) => Response::Units {
                        units: ids.into_iter().filter_map(|id| self.status(id)).collect(),
                    },
                    Err(message) => Response::Error { message },
                }
            }
            Request::Start { unit } => match self.add(&unit) {
                Ok(id) => {
                    self.start(id);
                    Response::Done
                }
                Err(message) => Response::Error { message },
            },
            Request::Stop { unit } => match self.ids.get(&unit).copied() {
                Some(id) => {
                    self.stop(id);
                    self.drain();
                    Response::Done
                }
                None => Response::Error {
                    message: format!("Unit {unit} not loaded."),
                },
            },
            Request::Reload { unit } | Request::Restart { unit } => {
                let reload = matches!(req_kind, Kind::Reload);
                match self.ids.get(&unit).copied() {
                    Some(id) => match (self.unit(id).map(|u| &u.rt), reload) {
                        (Some(Rt::Service(s)), true) if !s.m.can_reload() => Response::Error {
                            message: format!(
                                "Job for {unit} failed: the unit is not active or has no ExecReload=."
                            ),
                        },
                        (Some(Rt::Service(_)), true) => {
                            self.service_event(id, ServiceEvent::Reload);
                            self.drain();
                            Response::Done
                        }
                        (Some(Rt::Service(_)), false) => {
                            self.service_event(id, ServiceEvent::Restart { now: now() });
                            self.drain();
                            Response::Done
                        }
                        (Some(Rt::Socket(_)), false) => {
                            self.stop(id);
                            self.socket_event(id, SocketEvent::Start { now: now() });
                            self.drain();
                            Response::Done
                        }
                        _ => Response::Error {
                            message: format!("Job type reload is not applicable for unit {unit}."),
                        },
                    },
                    None => Response::Error {
                        message: format!("Unit {unit} not loaded."),
                    },
                }
            }
        }
    }

    pub(super) fn serve_control(&mut self) {
        let Some(listener) = &self.control else {
            return;
        };
        let mut clients = Vec::new();
        while let Ok((stream, _)) = listener.accept() {
            clients.push(stream);
        }
        for stream in clients {
            let Some(req) = super::sys::control::read_request(&stream) else {
                continue;
            };
            let resp = self.handle(req);
            super::sys::control::write_response(&stream, &resp);
        }
    }

    /// Removes the control socket node (on exit).
    pub fn close_control(&mut self) {
        if let (Some(_), Some(path)) = (self.control.take(), &self.settings.control) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Which request is being answered (reload and restart share an arm).
enum Kind {
    Reload,
    Other,
}

fn listen_type(l: &crate::config::listen::Listen) -> &'static str {
    use crate::config::listen::ListenKind as K;
    match l.kind {
        K::Stream => "Stream",
        K::Datagram => "Datagram",
        K::SequentialPacket => "SequentialPacket",
        K::Netlink => "Netlink",
        K::Fifo => "FIFO",
        K::Special => "Special",
        K::MessageQueue => "MessageQueue",
        K::UsbFunction => "USBFunction",
    }
}
