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
export { messagingRoutes } from './routes.js';
