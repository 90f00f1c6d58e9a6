export {
  ANNOUNCEMENT_PUBLISHED,
  ANNOUNCEMENT_WITHDRAWN,
  type Announcement,
  type AnnouncementInput,
  currentAnnouncements,
  getAnnouncement,
  publishAnnouncement,
  withdrawAnnouncement,
} from './announcements.js';
export { type Channels, MAIL_FOLDER, messagingChannels, useChannels } from './channels.js';
export {
  DELIVERY_ATTEMPTS,
  DELIVERY_FAILED,
  DELIVERY_REPORTED,
  DELIVERY_SENT,
  deliverMessage,
  recordDeliveryReport,
} from './deliver.js';
export { folderMailer, type Mailer, type OutgoingMail, smtpMailer } from './mail/mailer.js';
export {
  type DeliveryState,
  listNotices,
  markNoticeRead,
  NOTICE_READ,
  type Notice,
  type NotificationState,
  notificationsAbout,
} from './notices.js';
export {
  DELIVERY_REQUESTED,
  NOTIFICATION_QUEUED,
  type Notification,
  type NotifyInput,
  notify,
  type Recipient,
} from './notify.js';
export { messagingRoutes } from './routes.js';
export type { Channel, DeliveryStatus } from './schema.js';
export { addTemplates, hasTemplate, renderTemplate, type TemplateTexts } from './templates.js';
